// libFuzzer target: the CloudFormation notification parser and the classifier must never trap or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotification(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let notification = StackNotification.parse(text)
    _ = notification.stackId
    _ = notification.resourceStatus
    _ = notification.resourceStatusReason
    if let id = notification.stackId { _ = StackARN(parsing: id) }
    if let name = notification.stackName { _ = ServiceCatalogStack(stackName: name) }
    let record = InboundRecord(index: 0, itemIdentifier: nil, messageId: nil, subject: nil, payload: .notification(notification))
    if case .alert(let failure) = Classifier().classify(record) {
        _ = AlertComposer.compose(failure, Enrichment(lookupFailures: ["fuzz"]))
    }
    return 0
}
