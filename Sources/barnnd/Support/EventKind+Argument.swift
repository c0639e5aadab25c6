public import ArgumentParser
import Storage

/// `barnnd events --kind` offers exactly the kinds the daemon writes.
extension EventKind: ExpressibleByArgument {}
