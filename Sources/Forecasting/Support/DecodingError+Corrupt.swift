extension DecodingError {
    /// A persisted state that decodes but breaks an invariant (a wrong shape, an impossible count): restoring it
    /// must fail with a typed error instead of trapping later.
    static func corrupt(_ decoder: any Decoder, _ message: String) -> DecodingError {
        .dataCorrupted(Context(codingPath: decoder.codingPath, debugDescription: message))
    }
}
