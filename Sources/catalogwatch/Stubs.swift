import ArgumentParser

struct Package: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build the filter Lambda as a deterministic zip for provided.al2023.")
}

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the filter locally on an event file.")
}
