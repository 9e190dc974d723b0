import Foundation
import Glibc
import Synchronization

/// A child process for tests, started with `posix_spawn` and reaped by its own PID with
/// `waitpid(WNOHANG)` polls under a deadline.
///
/// Why not Foundation's `Process`: its monitor thread blocks in `wait4(pid)` on one child at a time, so
/// with many concurrent children (parallel process tests) one long-lived node can keep every other child
/// unreaped and `waitUntilExit()` then waits forever; a clean-clone `make test` hung that way. Here every
/// wait has a deadline, and a child that outlives it is killed by PID.
///
/// Standard output and error are drained by one thread each into `LockedBytes` until end of file, so a
/// chatty child never blocks on a full pipe. Pipe ends are close-on-exec, so a sibling child spawned at
/// the same moment never inherits them (which would hold a pipe open past its writer's exit).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let output = LockedBytes()
    let errorOutput = LockedBytes()
    /// `nil` while running; the wait status once reaped (reaped once, so the PID is never signalled after
    /// it may have been reused).
    private let reaped = Mutex<Int32?>(nil)
    private let readers: [Thread]

    /// Starts `executable arguments`. `stdin`, when given, is written and then closed; otherwise the
    /// child's standard input is an empty pipe (end of file at once). The child inherits the test's
    /// environment with `environment` applied: a value sets a variable, nil removes it.
    init(_ executable: URL, _ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String?] = [:]) throws {
        // Pipes are made and the child spawned under one lock: `pipe2(O_CLOEXEC)` is not visible from
        // Swift, so the flag is set after `pipe`, and no other spawn may run in between.
        let (child, input, out, err) = try Self.spawnLock.withLock { _ in try Self.spawn(executable, arguments, environment: environment) }
        pid = child
        readers = [Self.drain(out, into: output), Self.drain(err, into: errorOutput)]
        if let stdin { Self.writeAll(stdin, to: input) }
        close(input)
    }

    private static let spawnLock = Mutex<Void>(())

    /// Spawns the child; returns its PID and the parent's ends: its stdin's writer, stdout's and stderr's readers.
    private static func spawn(_ executable: URL, _ arguments: [String], environment: [String: String?]) throws -> (pid_t, Int32, Int32, Int32) {
        let input = try pipe()
        let out = try pipe()
        let err = try pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)

        // The test process may block signals or ignore SIGPIPE; the child starts with the defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let path = executable.path
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = Self.environment(applying: environment)
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        for fd in [input.read, out.write, err.write] { close(fd) }
        guard result == 0 else {
            for fd in [input.write, out.read, err.read] { close(fd) }
            throw ChildProcessError(description: "posix_spawn \(path): \(String(cString: strerror(result)))")
        }
        return (child, input.write, out.read, err.read)
    }

    /// `environ` with `changes` applied, as `posix_spawn` takes it (strings to free, then nil).
    private static func environment(applying changes: [String: String?]) -> [UnsafeMutablePointer<CChar>?] {
        var entries: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = String(text.prefix { $0 != "=" })
            if changes[name] == nil { entries.append(text) }
            index += 1
        }
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let value { entries.append("\(name)=\(value)") }
        }
        return entries.map { strdup($0) } + [nil]
    }

    deinit {
        if isRunning { kill(pid, SIGKILL) }
        _ = wait(timeoutSeconds: 10)
    }

    /// Polls `waitpid(WNOHANG)`: false once the child has exited (and is reaped).
    var isRunning: Bool {
        reaped.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid { status = raw; return false }
            // ECHILD: somebody else reaped it; treat as gone with an unknown status.
            if result < 0 && errno == ECHILD { status = -1; return false }
            return true
        }
    }

    /// The exit code, or 128 + the signal that ended it; `nil` while it runs.
    var terminationStatus: Int32? {
        guard !isRunning, let raw = reaped.withLock({ $0 }) else { return nil }
        if raw < 0 { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Sends `signal` unless the child is already reaped (its PID may belong to another process then).
    func send(_ signal: Int32) {
        reaped.withLock { status in
            if status == nil { kill(pid, signal) }
        }
    }

    /// Waits up to `timeoutSeconds` for the child to exit; its status, or `nil` if it still runs.
    @discardableResult
    func wait(timeoutSeconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while isRunning {
            guard Date() < deadline else { return nil }
            usleep(2_000)
        }
        return terminationStatus
    }

    /// Waits up to `timeoutSeconds` for the output pipes to reach end of file (after the child exits,
    /// unless a grandchild still holds them).
    func waitForOutput(timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while readers.contains(where: { !$0.isFinished }) {
            guard Date() < deadline else { return false }
            usleep(1_000)
        }
        return true
    }

    /// SIGTERM, up to `timeoutSeconds` for the exit, then SIGKILL; the status (nil when it had to be killed).
    @discardableResult
    func stop(timeoutSeconds: Double) -> Int32? {
        if !isRunning { return terminationStatus }
        send(SIGTERM)
        if let status = wait(timeoutSeconds: timeoutSeconds) { return status }
        send(SIGKILL)
        _ = wait(timeoutSeconds: 10)
        return nil
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else {
            throw ChildProcessError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// A thread that reads `fd` to end of file into `bytes`, then closes it.
    private static func drain(_ fd: Int32, into bytes: LockedBytes) -> Thread {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 { bytes.append(Array(buffer[0..<count])); continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            close(fd)
        }
        thread.start()
        return thread
    }

    /// SIGPIPE is ignored in the test process (set once), so writing to a child that closed its standard
    /// input fails with EPIPE instead of killing the test run; children get the default back at spawn.
    private static let sigpipeIgnored: Void = { signal(SIGPIPE, SIG_IGN); return () }()

    /// Writes all of `bytes`; stops early if the child closed its end.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        Self.sigpipeIgnored
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 { offset += written; continue }
            if written < 0 && errno == EINTR { continue }
            break
        }
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    let description: String
}
