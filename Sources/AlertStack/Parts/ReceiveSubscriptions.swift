import CloudFormation
import Layout

extension AlertStackParts {
    /// Every receive topic delivers to the main region: to the filter function, or to the buffer's queue.
    /// In the main region the endpoint is a `!GetAtt`; elsewhere it is a constructed ARN, because an
    /// every-region resource cannot refer to a main-region-only one.
    public struct ReceiveSubscriptions: Sendable {
        /// What the topics deliver to.
        public enum Target: Sendable {
            /// Protocol `lambda`: the `Filter` part's function (unbuffered).
            case function(ResourceHandle<Lambda.Function>)
            /// Protocol `sqs`: the `Buffer` part's queue.
            case queue(ResourceHandle<SQS.Queue>)
        }

        public var receiveTopic: ResourceHandle<SNS.Topic>
        public var target: Target
        public var isMainRegion: ConditionHandle
        public var isOtherRegion: ConditionHandle
        /// The target's ARN as seen from other regions (its name in the `MainRegion` of this account).
        public var otherRegionEndpoint: CFNValue

        public init(
            receiveTopic: ResourceHandle<SNS.Topic>, target: Target, isMainRegion: ConditionHandle, isOtherRegion: ConditionHandle
        ) {
            self.receiveTopic = receiveTopic
            self.target = target
            self.isMainRegion = isMainRegion
            self.isOtherRegion = isOtherRegion
            switch target {
            case .function:
                otherRegionEndpoint = .sub("arn:${AWS::Partition}:lambda:\(ParameterName.mainRegion.template):${AWS::AccountId}:function:\(PhysicalName.filter.template)")
            case .queue:
                otherRegionEndpoint = .sub("arn:${AWS::Partition}:sqs:\(ParameterName.mainRegion.template):${AWS::AccountId}:\(PhysicalName.eventQueue.template)")
            }
        }

        /// The subscription in the main region and the one in every other region.
        public struct Handles: Sendable {
            public let mainRegion: ResourceHandle<SNS.Subscription>
            public let otherRegions: ResourceHandle<SNS.Subscription>
        }

        /// Adds `MainRegionReceiveSubscription` and `OtherRegionReceiveSubscription`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            let deliveryProtocol: CFNValue
            let mainEndpoint: CFNValue
            switch target {
            case .function(let function):
                deliveryProtocol = "lambda"
                mainEndpoint = function.getAtt(.arn)
            case .queue(let queue):
                deliveryProtocol = "sqs"
                mainEndpoint = queue.getAtt(.arn)
            }
            let main = t.resource(
                AlertStack.Names.mainReceiveSubscription,
                SNS.Subscription(protocol: deliveryProtocol, topicArn: receiveTopic.ref, endpoint: mainEndpoint),
                condition: isMainRegion)
            let other = t.resource(
                AlertStack.Names.otherReceiveSubscription,
                SNS.Subscription(protocol: deliveryProtocol, topicArn: receiveTopic.ref, endpoint: otherRegionEndpoint),
                condition: isOtherRegion)
            return Handles(mainRegion: main, otherRegions: other)
        }
    }
}
