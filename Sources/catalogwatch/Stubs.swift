import ArgumentParser


struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the filter locally on an event file.")
}
