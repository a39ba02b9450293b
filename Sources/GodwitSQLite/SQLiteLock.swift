import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// The migration lock of a SQLite database: an exclusive `flock` on a sidecar file next to it,
/// `<database>.godwit.lock`, which the kernel drops if the process dies.
final class SQLiteFileLock: DatabaseLock {
    let descriptor: Int32?

    init(descriptor: Int32?) { self.descriptor = descriptor }

    func release() {
        if let descriptor {
            ftruncate(descriptor, 0)
            flock(descriptor, LOCK_UN)
            Glibc.close(descriptor)
        }
    }
}

extension SQLiteConnection {
    /// The sidecar lock file of a database file.
    public static func lockPath(for path: String) -> String { path + ".godwit.lock" }

    public func acquireLock(_ request: LockRequest, waiting: (String?) -> Void) throws -> any DatabaseLock {
        guard let path else { return SQLiteFileLock(descriptor: nil) }
        let lockPath = Self.lockPath(for: path)
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DatabaseError(.connection, "cannot open the lock file '\(lockPath)': \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(request.timeout.seconds)
        var announced = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if let signal = Interruption.shared.signal {
                Glibc.close(descriptor)
                throw DatabaseError.interrupted(by: signal)
            }
            let holder = Self.readHolder(lockPath)
            if !announced {
                waiting(holder)
                announced = true
            }
            if Date() >= deadline {
                Glibc.close(descriptor)
                throw DatabaseError(
                    .lockTimeout(holder: holder),
                    "the migration lock of '\(path)' was not acquired within \(request.timeout)\(holder.map { "; it is held by \($0)" } ?? "")")
            }
            usleep(20_000)
        }
        let text = "\(request.holder) pid \(getpid()) since \(Timestamp.iso8601(Date(), fractionalSeconds: false))\n"
        ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return SQLiteFileLock(descriptor: descriptor)
    }

    public func lockHolder(_ request: LockRequest) throws -> String? {
        guard let path else { return nil }
        let lockPath = Self.lockPath(for: path)
        let descriptor = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return Self.readHolder(lockPath) ?? "another process"
    }

    static func readHolder(_ lockPath: String) -> String? {
        guard let text = try? String(contentsOfFile: lockPath, encoding: .utf8) else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return line.isEmpty ? nil : line
    }
}
