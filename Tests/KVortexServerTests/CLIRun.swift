import Foundation

/// One run of the `kvortex` binary to its end: exit status and what it printed. Shared by the suites
/// that test the command line.
struct CLIRun {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Runs `kvortex arguments`, with `stdin` (if any) then end of file as its standard input.
    static func kvortex(_ arguments: [String], stdin: String? = nil) throws -> CLIRun {
        let process = Process()
        process.executableURL = NodeProcess.binaryURL
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
