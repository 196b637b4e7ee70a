// libFuzzer target: the Lambda event decoder (SNS, SQS, EventBridge shapes) ends in a decision or an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvent(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let event = try? EventDecoder.decode(bytes) else { return 0 }
    let decisions = Classifier().classify(event)
    let batch = FailureBatch(decisions: decisions)
    for item in batch.alerts { _ = AlertComposer.compose(item.failure).snsMessage }
    return 0
}
