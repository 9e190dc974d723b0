import Foundation

/// One run of the `kvortex` binary to its end: exit status and what it printed. Shared by the suites
/// that test the command line.
struct CLIRun {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Runs `kvortex arguments`, with `stdin` (if any) then end of file as its standard input, in the
    /// test's environment with `environment` applied (a value sets a variable, nil removes it). A run
    /// that outlives `timeoutSeconds` is killed by PID and reported as an error with what it printed.
    static func kvortex(_ arguments: [String], stdin: String? = nil, environment: [String: String?] = [:],
                        timeoutSeconds: Double = 120) throws -> CLIRun {
        let child = try ChildProcess(NodeProcess.binaryURL, arguments, stdin: stdin.map { Array($0.utf8) }, environment: environment)
        guard let status = child.wait(timeoutSeconds: timeoutSeconds) else {
            child.stop(timeoutSeconds: 1)
            throw ChildProcessError(description: "kvortex \(arguments.joined(separator: " ")) still ran after \(timeoutSeconds) s; killed. stdout: \(child.output.text) stderr: \(child.errorOutput.text)")
        }
        _ = child.waitForOutput(timeoutSeconds: 10)
        return CLIRun(status: status, stdout: child.output.text, stderr: child.errorOutput.text)
    }
}
