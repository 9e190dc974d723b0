/// Words printed as part of a command for the user to paste into a POSIX shell.
enum ShellWord {
    /// `word` as the shell reads it back: unchanged when it holds only characters the shell takes
    /// literally, else in single quotes (a `'` inside written as `'\''`).
    static func quoted(_ word: String) -> String {
        let literal = !word.isEmpty && word.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "+"):
                true
            default:
                false
            }
        }
        guard !literal else { return word }
        var quoted = "'"
        for character in word {
            quoted += character == "'" ? "'\\''" : String(character)
        }
        return quoted + "'"
    }
}
