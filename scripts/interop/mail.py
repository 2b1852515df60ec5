"""Reads one message the way a mail program does (Python's email package) and prints
what it found as JSON, for Guanxi's mail tests.

    mail.py read FILE.eml
"""
import json, sys
from email import policy
from email.parser import BytesParser


def main():
    _, command, path = sys.argv
    assert command == "read"
    with open(path, "rb") as f:
        raw = f.read()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parts, attachments = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            attachments.append({"filename": part.get_filename(), "type": part.get_content_type(), "size": len(part.get_payload(decode=True))})
        else:
            # As a mail program shows it: lines end in a newline, whatever went over the wire.
            parts.append({"type": part.get_content_type(), "text": part.get_content().replace("\r\n", "\n")})
    lines = raw.split(b"\r\n")
    print(json.dumps({
        "subject": str(message["Subject"]),
        "from": str(message["From"]),
        "to": str(message["To"]),
        "from_name": message["From"].addresses[0].display_name,
        "to_name": message["To"].addresses[0].display_name,
        "message_id": str(message["Message-ID"]),
        "date": str(message["Date"]),
        "content_type": message.get_content_type(),
        "list_unsubscribe": message["List-Unsubscribe"] and str(message["List-Unsubscribe"]),
        "list_unsubscribe_post": message["List-Unsubscribe-Post"] and str(message["List-Unsubscribe-Post"]),
        "auto_submitted": message["Auto-Submitted"] and str(message["Auto-Submitted"]),
        "parts": parts,
        "attachments": attachments,
        "defects": [type(d).__name__ for d in message.defects],
        "ascii": all(b < 128 for b in raw),
        "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
        "longest_line": max(len(l) for l in lines),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
