import ArgumentParser
import Foundation
import XOFusion

/// `xofusion`: the command-line front end of the XOFusion library.
@main
struct XOFusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xofusion",
        abstract: "Fuse customer experience data with operational data and analyse it.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, ReportCommand.self, InspectCommand.self, BenchCommand.self, KernelsCommand.self]
    )

    /// Exit codes as DESIGN.md fixes them: 0 success, 1 bad input or a failed
    /// check, 2 a usage error (argument-parser's default for those is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
