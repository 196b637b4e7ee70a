import AWSIdentifiers
import Layout
import CloudFormation

extension AlertStackParts {
    /// `encryption: kms`, every region: the customer-managed key of the topics, queues and the alert
    /// ledger (generated here, or the layout's key), and the customizations that put it on every topic,
    /// queue and table added afterwards. A generated key lets exactly what must use it do so: this
    /// account's IAM policies, SNS, EventBridge and CloudWatch for this account (SNS to SQS, EventBridge
    /// to its queues, alarms to the send topic), the filter's role, the StackSet execution role (which
    /// administers it; its IAM policy grants no key administration), and with a notification-constraint
    /// source the organization's launch roles, through SNS only, for this region's receive topic.
    public struct Encryption: Sendable {
        public var encryption: Layout.Encryption
        /// Whether launch roles of the organization publish to encrypted receive topics.
        public var organizationPublishes: Bool
        public var organizationId: CFNValue
        /// A generated key's own policy names who else uses or administers it (so no IAM policy has to grant
        /// a key by a tag anyone able to tag could set): the filter's role uses it, the StackSet execution
        /// role administers it and, with a ledger (`grantsToDynamoDB`), lets DynamoDB use it.
        public var filterRoleArn: CFNValue?
        public var executionRoleArn: CFNValue?
        public var grantsToDynamoDB = false

        public init(encryption: Layout.Encryption, organizationPublishes: Bool, organizationId: CFNValue) {
            self.encryption = encryption
            self.organizationPublishes = organizationPublishes
            self.organizationId = organizationId
        }

        /// What the StackSet execution role does to the generated key it created (through this key's policy).
        public static let administration = [
            "kms:DescribeKey", "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus",
            "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:ListResourceTags", "kms:CreateAlias",
            "kms:DeleteAlias", "kms:UpdateAlias",
        ]

        /// Adds `AlertKey` and `AlertKeyAlias` (generated keys), registers the customizations, and
        /// returns the key's ARN in this region.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> CFNValue {
            let keyArn: CFNValue
            switch encryption {
            case .key(let text):
                // A multi-Region key has the same id in every region: its replica here.
                if let arn = ARN(text), arn.resource.hasPrefix("key/mrk-") {
                    keyArn = .sub("arn:${AWS::Partition}:kms:${AWS::Region}:\(arn.account):\(arn.resource)")
                } else {
                    keyArn = .string(text)
                }
            case .generatedKey:
                var key = KMS.Key()
                key.description = "CatalogWatch: encrypts the alert topics, queues and ledger in this region."
                key.enableKeyRotation = true
                key.keyPolicy = keyPolicy.cfnValue
                // The tag the execution role's key administration and the key users' grants are conditioned on.
                key.tags = [KMS.Key.Tag(key: .string(PhysicalName.keyTagKey), value: ParameterName.namePrefix.ref)]
                let handle = t.resource(AlertStack.Names.alertKey, key, deletionPolicy: "Retain", updateReplacePolicy: "Retain")
                t.resource(AlertStack.Names.alertKeyAlias, KMS.Alias(aliasName: .sub("alias/\(PhysicalName.alertKeyAlias.template)"), targetKeyId: handle.ref))
                keyArn = handle.getAtt(.arn)
            }
            let key = keyArn
            t.customize(SNS.Topic.self) { _, topic in topic.kmsMasterKeyId = key }
            t.customize(SQS.Queue.self) { _, queue in
                queue.kmsMasterKeyId = key
                queue.sqsManagedSseEnabled = nil
            }
            t.customize(DynamoDB.Table.self) { _, table in
                table.sseSpecification = DynamoDB.Table.SSESpecification(sseEnabled: true, kmsMasterKeyId: key, sseType: "KMS")
            }
            return keyArn
        }

        /// The generated key's policy.
        var keyPolicy: PolicyDocument {
            var statements = [
                PolicyStatement(
                    sid: "AccountPoliciesGrantUse", principal: .aws([.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]),
                    actions: ["kms:*"], resources: ["*"]),
                PolicyStatement(
                    sid: "ServicesOfThisAccountEncrypt",
                    principal: .service(["sns.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com"]),
                    actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: ["*"],
                    conditions: [PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId)]),
            ]
            if let executionRoleArn {
                statements.append(PolicyStatement(
                    sid: "StackSetExecutionRoleAdministersThisKey", principal: .aws([executionRoleArn]), actions: Self.administration, resources: ["*"]))
                if grantsToDynamoDB {
                    statements.append(PolicyStatement(
                        sid: "StackSetExecutionRoleLetsDynamoDBUseThisKey", principal: .aws([executionRoleArn]),
                        actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], resources: ["*"],
                        conditions: [PolicyCondition(.stringEquals, "kms:ViaService", .sub("dynamodb.${AWS::Region}.amazonaws.com"))]))
                }
            }
            if let filterRoleArn {
                statements.append(PolicyStatement(
                    sid: "FilterUsesThisKey", principal: .aws([filterRoleArn]), actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: ["*"]))
            }
            if organizationPublishes {
                // Only for this region's receive topic: SNS names the topic in the encryption context.
                statements.append(PolicyStatement(
                    sid: "LaunchRolesPublishThroughSNS", principal: .anyone, actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: ["*"],
                    conditions: [
                        PolicyCondition(.stringEquals, "aws:PrincipalOrgID", organizationId),
                        PolicyCondition(.stringEquals, "kms:ViaService", .sub("sns.${AWS::Region}.amazonaws.com")),
                        PolicyCondition(
                            .stringEquals, "kms:EncryptionContext:aws:sns:topicArn",
                            .sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:\(PhysicalName.receiveTopic.template)")),
                    ]))
            }
            return PolicyDocument(statements)
        }
    }
}
