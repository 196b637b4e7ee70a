import XCTest

@testable import IAMAuthorization

/// The rule ids `StatementChecker` reports for an identity-policy statement.
private func rules(_ actions: [String], _ resources: [String], keys: [String] = []) -> [String] {
    StatementChecker.check(.init(actions: actions, resources: resources.map(PolicyResource.text), conditionKeys: keys)).map(\.rule.rawValue)
}

final class StatementCheckerTests: XCTestCase {
    let topic = "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${NamePrefix}-alerts"

    func testTableHoldsTheReference() throws {
        XCTAssertEqual(ServiceAuthorization.services.map(\.prefix), ServiceAuthorization.services.map(\.prefix).sorted())
        XCTAssertEqual(ServiceAuthorization.services.count, 15)
        let sns = try XCTUnwrap(ServiceAuthorization.service("SNS"))
        let publish = try XCTUnwrap(sns.actions.first { $0.name == "Publish" })
        XCTAssertEqual(publish.resourceTypes.map(\.name), ["topic"])
        XCTAssertEqual(publish.resourceTypes.map(\.required), [true])
        XCTAssertEqual(sns.resourceType("topic")?.arnFormats, ["arn:${Partition}:sns:${Region}:${Account}:${TopicName}"])
        XCTAssertTrue(sns.conditionKeys.contains("sns:Protocol"))
        XCTAssertEqual(sns.actions.first { $0.name == "Unsubscribe" }?.resourceTypes.count, 0)
        XCTAssertTrue(ServiceAuthorization.globalConditionKeys.contains("aws:PrincipalOrgID"))
        XCTAssertTrue(ServiceAuthorization.isKnownPrefix("ec2"))
        XCTAssertNil(ServiceAuthorization.service("ec2"), "ec2 is in the reference but not tabled")
    }

    // MARK: actions

    func testUnknownAndKnownActions() {
        XCTAssertEqual(rules(["sns:Publish"], [topic]), [])
        XCTAssertEqual(rules(["SNS:publish"], [topic]), [], "case-insensitive, like IAM")
        XCTAssertEqual(rules(["sns:PublishEverything"], ["*"]), ["iam-unknown-action"])
        XCTAssertEqual(rules(["sns:Publish*"], [topic]), [], "a run may be empty: Publish")
        XCTAssertEqual(rules(["kms:GenerateDataKey*"], ["*"]), [])
        XCTAssertEqual(rules(["cloudformation:*"], ["*"]), [])
        XCTAssertEqual(rules(["kms:Gen?rateDataKey"], ["*"]), [])
        XCTAssertEqual(rules(["kms:Nothing*"], ["*"]), ["iam-unknown-action"])
        XCTAssertEqual(rules(["Publish"], ["*"]), ["iam-unknown-action"], "no service prefix")
    }

    func testServices() {
        XCTAssertEqual(rules(["snss:Publish"], ["*"]), ["iam-unknown-service"])
        XCTAssertEqual(rules(["ec2:NoSuchAction"], ["arn:aws:s3:::x"]), [], "a reference service the table leaves out is not checked")
        XCTAssertEqual(rules(["*"], [topic]), [])
        XCTAssertEqual(rules(["s*:Publish"], [topic]), [])
    }

    func testNotActionChecksOnlyNames() {
        let ok = PolicyStatementText(actions: ["sns:Unsubscribe"], isNotAction: true, resources: [.text(topic)], conditionKeys: ["madeup:Key"])
        XCTAssertEqual(StatementChecker.check(ok), [])
        let typo = PolicyStatementText(actions: ["iam:PassRoles"], isNotAction: true, resources: [.text("*")])
        XCTAssertEqual(StatementChecker.check(typo).map(\.rule), [.unknownAction])
    }

    // MARK: resources

    func testActionWithoutResourceTypesNeedsStar() throws {
        let f = StatementChecker.check(.init(actions: ["sns:Unsubscribe"], resources: [.text(topic)]))
        XCTAssertEqual(f.map(\.rule), [.resourceMismatch])
        XCTAssertEqual(f.first?.action, "sns:Unsubscribe")
        XCTAssertEqual(f.first?.resource, "\"\(topic)\"")
        XCTAssertTrue(try XCTUnwrap(f.first?.message).contains("Resource \"*\""), "\(f)")
        XCTAssertEqual(rules(["sns:Unsubscribe"], ["*"]), [])
        XCTAssertEqual(rules(["logs:DescribeLogGroups"], ["arn:${AWS::Partition}:logs:*:*:log-group:*"]), ["iam-resource-mismatch"])
        XCTAssertEqual(rules(["logs:DescribeLogGroups"], ["*"]), [])
        XCTAssertEqual(rules(["lambda:CreateEventSourceMapping"], ["arn:aws:lambda:*:123456789012:event-source-mapping:*"]), ["iam-resource-mismatch"])
        let opaque = StatementChecker.check(.init(actions: ["logs:DescribeLogGroups"], resources: [.opaque("!GetAtt Logs.Arn")]))
        XCTAssertEqual(opaque.map(\.rule), [.resourceMismatch], "a GetAtt is some ARN, never \"*\"")
    }

    func testResourcesMatchArnFormats() {
        XCTAssertEqual(rules(["sns:Publish"], ["arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-*"]), [])
        XCTAssertEqual(rules(["sns:Publish"], ["arn:aws:sqs:us-east-1:123456789012:queue"]), ["iam-resource-mismatch"])
        XCTAssertEqual(rules(["lambda:UpdateEventSourceMapping"], ["arn:${AWS::Partition}:lambda:*:123:event-source-mapping:*"]), [])
        XCTAssertEqual(rules(["lambda:InvokeFunction"], ["arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${NamePrefix}-filter"]), [])
        XCTAssertEqual(rules(["lambda:InvokeFunction"], ["arn:aws:lambda:us-east-1:123:event-source-mapping:x"]), ["iam-resource-mismatch"])
        XCTAssertEqual(rules(["sts:AssumeRole"], ["arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"]), [])
        XCTAssertEqual(rules(["iam:PassRole"], ["arn:aws:iam:us-east-1:123:role/x"]), ["iam-resource-mismatch"], "IAM ARNs have no region")
        XCTAssertEqual(rules(["servicecatalog:DescribeProduct"], ["arn:${AWS::Partition}:catalog:*:*:product/*"]), [])
        XCTAssertEqual(rules(["s3:GetObject"], ["arn:aws:s3:::bucket/*"]), [])
        XCTAssertEqual(rules(["s3:ListBucket"], ["arn:aws:s3:::bucket/*"]), ["iam-resource-mismatch"], "a bucket name has no slash")
        XCTAssertEqual(rules(["s3:ListBucket"], ["arn:aws:s3:::bucket"]), [])
        XCTAssertEqual(rules(["sns:Publish"], ["${TopicArn}"]), [], "a variable holding a whole ARN may be any ARN")
        XCTAssertEqual(rules(["sns:Publish"], ["arn:aws:sns:*"]), [], "a trailing * spans the remaining parts")
        XCTAssertEqual(rules(["sns:Publish"], [topic, "arn:aws:sqs:*:*:q"]), [], "one resource that fits is enough")
    }

    func testWildcardActionsNeedOneFittingAction() {
        XCTAssertEqual(rules(["cloudformation:*"], ["arn:${AWS::Partition}:cloudformation:*:*:stack/x/*"]), [])
        XCTAssertEqual(rules(["logs:Describe*"], ["arn:aws:sns:*:*:t"]), ["iam-resource-mismatch"])
    }

    func testResourceBasedStatementsSkipResources() {
        let policy = PolicyStatementText(actions: ["sns:Unsubscribe"], resources: nil, conditionKeys: ["aws:SourceArn"])
        XCTAssertEqual(StatementChecker.check(policy), [])
    }

    // MARK: condition keys

    func testConditionKeys() {
        XCTAssertEqual(rules(["iam:CreateRole"], ["*"], keys: ["iam:PermissionsBoundary"]), [])
        XCTAssertEqual(rules(["sts:AssumeRole"], ["*"], keys: ["aws:ResourceOrgID"]), [])
        XCTAssertEqual(rules(["iam:PassRole"], ["*"], keys: ["iam:PassedToService"]), [])
        XCTAssertEqual(rules(["kms:PutKeyPolicy"], ["*"], keys: ["aws:ResourceTag/x"]), [])
        XCTAssertEqual(rules(["kms:Decrypt"], ["*"], keys: ["KMS:viaservice", "aws:PrincipalOrgID"]), [], "case-insensitive")
        XCTAssertEqual(rules(["sns:Publish"], ["*"], keys: ["aws:ResourceTag/catalogwatch:managed", "aws:PrincipalTag/team"]), [])
        XCTAssertEqual(rules(["s3:PutObject"], ["*"], keys: ["s3:RequestObjectTag/owner"]), [], "the reference's <key> template")
        XCTAssertEqual(rules(["sts:AssumeRole"], ["*"], keys: ["sts:ExternalIdentity"]), ["iam-unknown-condition-key"])
        XCTAssertEqual(rules(["sns:Publish"], ["*"], keys: ["aws:SourceOwner"]), ["iam-unknown-condition-key"], "not a global key")
        XCTAssertEqual(rules(["sns:Publish"], ["*"], keys: ["iam:PassedToService"]), ["iam-unknown-condition-key"])
        XCTAssertEqual(rules(["sns:Publish", "iam:PassRole"], ["*"], keys: ["iam:PassedToService"]), ["iam-unknown-condition-key"],
            "checked per action: sns:Publish never sees iam:PassedToService")
        let f = StatementChecker.check(.init(actions: ["sns:Publish"], resources: [.text("*")], conditionKeys: ["sns:Made-Up"]))
        XCTAssertEqual(f.first?.resource, "sns:Made-Up")
        XCTAssertTrue(f.first?.message.contains("sns:Made-Up") == true, "\(f)")
    }

    // MARK: matching

    func testArnMatch() {
        let format = "arn:${Partition}:sns:${Region}:${Account}:${TopicName}"
        XCTAssertTrue(ARNMatch.canMatch(policyResource: "arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-*", format: format))
        XCTAssertTrue(ARNMatch.canMatch(policyResource: "arn:aws:*:*:*:*", format: format), "a wildcard service")
        XCTAssertFalse(ARNMatch.canMatch(policyResource: "arn:aws:sqs:*:*:*", format: format))
        XCTAssertFalse(ARNMatch.canMatch(policyResource: "arn:aws:sns", format: format), "too few parts, no wildcard")
        XCTAssertTrue(ARNMatch.canMatch(policyResource: "arn:aws:logs:*:*:log-group:/aws/lambda/x:*",
            format: "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"))
    }

    func testWildcardPatternIntersection() {
        func p(_ s: String) -> WildcardPattern { WildcardPattern(policyText: s) }
        XCTAssertTrue(p("a*c").intersects(p("ab?")))
        XCTAssertTrue(p("*x").intersects(p("y*")))
        XCTAssertFalse(p("a*").intersects(p("b*")))
        XCTAssertFalse(p("a?").intersects(p("a")))
        XCTAssertTrue(p("${AWS::Region}").intersects(p("")))
        XCTAssertEqual(p("${!Literal}").tokens.count, "${Literal}".count)
        XCTAssertFalse(WildcardPattern(referenceText: "${BucketName}").intersects(p("b/*")))
    }
}
