extension String {
    /// "atRisk" → "at_risk": how names of Swift cases are stored and sent in the API.
    package var snakeCased: String {
        reduce(into: "") { out, c in
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
    }
}
