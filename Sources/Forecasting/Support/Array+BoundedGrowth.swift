extension Array {
    /// Makes room for one more element when the storage is full, doubling it but never past `limit` elements: a
    /// buffer that holds at most `limit` allocates no more than that once full, and one that holds a few allocates
    /// for a few. Swift's own growth may end at nearly twice `limit`; reserving `limit` up front costs an idle stream
    /// its full rings.
    @inlinable
    public mutating func growIfFull(upTo limit: Int) {
        if count == capacity { reserveCapacity(Swift.min(limit, Swift.max(8, count * 2))) }
    }

    /// Appends `element` after ``growIfFull(upTo:)``.
    @inlinable
    public mutating func append(_ element: Element, growingUpTo limit: Int) {
        growIfFull(upTo: limit)
        append(element)
    }
}
