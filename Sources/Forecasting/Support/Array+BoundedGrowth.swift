extension Array {
    /// Appends `element`, doubling the storage when it is full but never past `limit` elements: a buffer that holds
    /// at most `limit` allocates no more than that once full, and one that holds a few allocates for a few. Swift's
    /// own growth may end at nearly twice `limit`; reserving `limit` up front costs an idle stream its full rings.
    @inlinable
    public mutating func append(_ element: Element, growingUpTo limit: Int) {
        if count == capacity { reserveCapacity(Swift.min(limit, Swift.max(8, count * 2))) }
        append(element)
    }
}
