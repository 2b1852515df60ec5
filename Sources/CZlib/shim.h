// zlib, from the system (Debian's zlib1g-dev); SwiftNIO's HTTP compression needs it too.
#include <zlib.h>
