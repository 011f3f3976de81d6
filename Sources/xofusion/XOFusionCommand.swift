import ArgumentParser
import XOFusion

/// `xofusion`: the command-line front end of the XOFusion library.
@main
struct XOFusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xofusion",
        abstract: "Fuse customer experience data with operational data and analyse it.",
        version: "0.1.0",
        subcommands: [DemoCommand.self]
    )
}
