import Glibc

// The `kvortex` executable: dispatches to a command (API.md "Command line").
let words = Array(CommandLine.arguments.dropFirst())
let command = words.first ?? "help"
let rest = Array(words.dropFirst())

let status: Int32
switch command {
case "serve": status = ServeCommand.run(rest)
case "get", "set", "delete": status = KeyCommand.run(command, rest)
case "cluster": status = ClusterCommand.run(rest)
case "bench": status = BenchCommand.run(rest)
case "simulate": status = SimulateCommand.run(rest)
case "help", "--help", "-h": print(HelpText.overview); status = 0
default:
    Terminal.error("kvortex: unknown command '\(command)'\n\n\(HelpText.overview)\n")
    status = 2
}
exit(status)
