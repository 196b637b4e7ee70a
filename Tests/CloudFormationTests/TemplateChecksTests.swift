import Diagnostics
import XCTest

@testable import CloudFormation

/// Checks run over two regions: the main region (ap-northeast-1, the MainRegion default) and another.
private let checks = TemplateChecks(
    scenarios: [.init(region: "ap-northeast-1"), .init(region: "us-east-1")],
    knownRegions: ["ap-northeast-1", "us-east-1", "eu-west-1", "cn-north-1"])

/// A template with a main-region-only function and an everywhere topic; `resources` are appended.
private func template(_ resources: String, outputs: String = "") throws -> Template {
    let text = """
        Parameters:
          MainRegion:
            Type: String
            Default: ap-northeast-1
        Conditions:
          IsMainRegion: !Equals [!Ref "AWS::Region", !Ref MainRegion]
        Resources:
          Function:
            Type: AWS::Lambda::Function
            Condition: IsMainRegion
            Properties:
              Role: arn
              Code: {ZipFile: x}
          Topic:
            Type: AWS::SNS::Topic

        """ + resources + outputs
    return try TemplateParser.parse(text, file: "t.yaml")
}

private func findings(_ resources: String, outputs: String = "") throws -> [Diagnostic] {
    checks.run(try template(resources, outputs: outputs))
}

final class TemplateChecksTests: XCTestCase {
    func testBaseTemplateIsClean() throws {
        XCTAssertEqual(try findings(""), [])
    }

    // MARK: unresolved references

    func testUnresolvedRef() throws {
        let f = try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: email
                  Endpoint: !Ref AlertEmail

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-ref"], "\(f)")
        XCTAssertEqual(f.first?.keyPath, "Resources.Sub.Properties.Endpoint")
        XCTAssertTrue(f.first?.message.contains("AlertEmail") == true)
    }

    func testUnresolvedGetAttResource() throws {
        let f = try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: sqs
                  Endpoint: !GetAtt Queue.Arn

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-getatt"], "\(f)")
        XCTAssertEqual(f.first?.message, "!GetAtt Queue: no resource has that name")
    }

    func testGetAttOfAnAttributeTheTypeLacks() throws {
        let f = try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !GetAtt Topic.Arn
                  Protocol: email
                  Endpoint: a@example.com

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-getatt"], "\(f)")
        XCTAssertEqual(f.first?.keyPath, "Resources.Sub.Properties.TopicArn")
        XCTAssertTrue(f.first?.message.contains("AWS::SNS::Topic has no attribute Arn (it has TopicArn)") == true, "\(f)")
        // The attribute the type has passes.
        XCTAssertEqual(try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !GetAtt Topic.TopicArn
                  Protocol: email
                  Endpoint: a@example.com

            """), [])
    }

    func testUnresolvedSubVariables() throws {
        let f = try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: lambda
                  Endpoint: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}-${Missing.Arn}-${!Literal}"

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-sub", "unresolved-sub"], "\(f)")
        XCTAssertEqual(f.map(\.message), ["${FunctionName}: no parameter, resource or variable has that name", "${Missing.Arn}: no resource named Missing"])
        // Variables given in the Sub's own map resolve.
        XCTAssertEqual(try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: email
                  Endpoint: !Sub ["${User}@example.com", {User: ops}]

            """), [])
    }

    func testUnresolvedConditions() throws {
        let f = try findings("""
              Queue:
                Type: AWS::SQS::Queue
                Condition: IsBuffered
                Properties:
                  DelaySeconds: !If [IsSlow, 5, 0]

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-condition", "unresolved-condition"], "\(f)")
        XCTAssertEqual(Set(f.map(\.keyPath)), ["Resources.Queue.Properties.DelaySeconds", "Resources.Queue.Condition"])
        XCTAssertTrue(f.contains { $0.message == "condition 'IsBuffered' is not declared" })
        XCTAssertTrue(f.contains { $0.message == "!If IsSlow: condition is not declared" })
    }

    func testUnresolvedOutputCondition() throws {
        let f = try findings("", outputs: """
            Outputs:
              TopicArn:
                Condition: IsProd
                Value: !Ref Topic

            """)
        XCTAssertEqual(f.map(\.keyPath), ["Outputs.TopicArn.Condition"], "\(f)")
    }

    func testUnresolvedDependsOn() throws {
        let f = try findings("""
              Queue:
                Type: AWS::SQS::Queue
                DependsOn: [Topic, Bucket]

            """)
        XCTAssertEqual(f.map(\.rule), ["unresolved-dependson"], "\(f)")
        XCTAssertEqual(f.first?.message, "'Bucket' is not a resource of this template")
    }

    // MARK: condition scope

    func testEverywhereResourceReferencingMainRegionOnlyResource() throws {
        let f = try findings("""
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !Ref Function
                  Principal: sns.amazonaws.com

            """)
        XCTAssertEqual(f.map(\.rule), ["condition-scope"], "\(f)")
        XCTAssertEqual(f.first?.keyPath, "Resources.Permission")
        XCTAssertTrue(f.first?.message.contains("references Function, which does not exist in us-east-1") == true, "\(f)")
    }

    func testReferenceThroughGetAttSubAndDependsOnIsInScopeToo() throws {
        for body in ["FunctionName: !GetAtt Function.Arn", "FunctionName: !Sub \"${Function.Arn}\""] {
            let f = try findings("""
                  Permission:
                    Type: AWS::Lambda::Permission
                    Properties:
                      Action: lambda:InvokeFunction
                      \(body)
                      Principal: sns.amazonaws.com

                """)
            XCTAssertEqual(f.map(\.rule), ["condition-scope"], body)
        }
        let f = try findings("""
              Queue:
                Type: AWS::SQS::Queue
                DependsOn: Function

            """)
        XCTAssertEqual(f.map(\.rule), ["condition-scope"], "\(f)")
    }

    func testReferenceGuardedByIfIsMainRegionIsFine() throws {
        XCTAssertEqual(try findings("""
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !If [IsMainRegion, !Ref Function, !Ref "AWS::NoValue"]
                  Principal: sns.amazonaws.com

            """), [])
        // The opposite guard is not: it keeps the reference exactly where Function is absent.
        let f = try findings("""
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !If [IsMainRegion, "x", !Ref Function]
                  Principal: sns.amazonaws.com

            """)
        XCTAssertEqual(f.map(\.rule), ["condition-scope"], "\(f)")
    }

    func testSameConditionOnBothSidesIsFine() throws {
        XCTAssertEqual(try findings("""
              Permission:
                Type: AWS::Lambda::Permission
                Condition: IsMainRegion
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !Ref Function
                  Principal: sns.amazonaws.com

            """), [])
    }

    func testOutputsReferencingMainRegionOnlyResource() throws {
        let f = try findings("", outputs: """
            Outputs:
              FunctionArn:
                Value: !GetAtt Function.Arn

            """)
        XCTAssertEqual(f.map(\.rule), ["condition-scope"], "\(f)")
        XCTAssertEqual(f.first?.keyPath, "Outputs.FunctionArn")
        XCTAssertEqual(try findings("", outputs: """
            Outputs:
              FunctionArn:
                Value: !If [IsMainRegion, !GetAtt Function.Arn, none]

            """), [], "an output guarded by !If is fine")
    }

    func testWithOnlyTheMainRegionNothingIsOutOfScope() throws {
        let t = try template("""
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !Ref Function
                  Principal: sns.amazonaws.com

            """)
        let mainOnly = TemplateChecks(scenarios: [.init(region: "ap-northeast-1")], knownRegions: [])
        XCTAssertEqual(mainOnly.run(t), [])
    }

    // MARK: IAM

    private func statement(_ action: String, _ resource: String, effect: String = "Allow", actionKey: String = "Action") throws -> [Diagnostic] {
        try findings("""
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Principal: {Service: lambda.amazonaws.com}
                        Action: sts:AssumeRole
                  Policies:
                    - PolicyName: p
                      PolicyDocument:
                        Version: "2012-10-17"
                        Statement:
                          - Effect: \(effect)
                            \(actionKey): \(action)
                            Resource: \(resource)

            """).filter { $0.rule == "wildcard-resource" }
    }

    func testWildcardPublishAndAssumeRole() throws {
        let publish = try statement("sns:Publish", "\"*\"")
        XCTAssertEqual(publish.map(\.keyPath), ["Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0]"])
        XCTAssertTrue(publish.first?.message.contains("sns:Publish") == true)
        XCTAssertEqual(try statement("[sts:AssumeRole]", "[\"*\"]").map(\.message), ["allows sts:AssumeRole on Resource \"*\"; name the topic or role ARNs"])
        XCTAssertEqual(try statement("SNS:Publish", "\"*\"").count, 1, "actions are case-insensitive")
    }

    func testWildcardActionPatterns() throws {
        XCTAssertEqual(try statement("\"*\"", "\"*\"").count, 2)
        XCTAssertEqual(try statement("sns:*", "\"*\"").count, 1)
        XCTAssertEqual(try statement("sns:Pub*", "\"*\"").count, 1)
        XCTAssertEqual(try statement("sts:Assume?ole", "\"*\"").count, 1)
        XCTAssertEqual(try statement("s*", "\"*\"").count, 2)
        XCTAssertEqual(try statement("sns:Subscribe", "\"*\"").count, 0)
        XCTAssertEqual(try statement("sns:P*s", "\"*\"").count, 0, "sns:Publish does not end in s")
    }

    func testNotActionOnWildcardResource() throws {
        XCTAssertEqual(try statement("[iam:*]", "\"*\"", actionKey: "NotAction").count, 2)
        XCTAssertEqual(try statement("[sns:*, sts:*]", "\"*\"", actionKey: "NotAction").count, 0)
    }

    func testWildcardArnResources() throws {
        XCTAssertEqual(try statement("sns:Publish", "arn:aws:sns:*:*:*").count, 1)
        XCTAssertEqual(try statement("sts:AssumeRole", "!Sub \"arn:${AWS::Partition}:iam::*:role/*\"").count, 1)
        XCTAssertEqual(try statement("sts:AssumeRole", "!Sub \"arn:${AWS::Partition}:iam::*:role/AWSControlTowerExecution\"").count, 0)
        XCTAssertEqual(try statement("sns:Publish", "!Ref Topic").count, 0)
    }

    func testDenyOnWildcardIsFine() throws {
        XCTAssertEqual(try statement("sns:Publish", "\"*\"", effect: "Deny"), [])
    }

    // MARK: hard-coded ARNs

    func testHardCodedPartitionAndRegion() throws {
        let f = try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: arn:aws-cn:sns:cn-north-1:111122223333:t
                  Protocol: lambda
                  Endpoint: !Sub "arn:${AWS::Partition}:lambda:eu-west-1:${AWS::AccountId}:function:f"

            """)
        XCTAssertEqual(f.map(\.rule), ["hard-coded-partition", "hard-coded-region", "hard-coded-region"], "\(f)")
        XCTAssertEqual(f.map(\.keyPath), [
            "Resources.Sub.Properties.TopicArn", "Resources.Sub.Properties.TopicArn", "Resources.Sub.Properties.Endpoint",
        ])
        XCTAssertTrue(f[0].message.contains("names partition aws-cn"))
        XCTAssertTrue(f[1].message.contains("names region cn-north-1"))
        XCTAssertTrue(f[2].message.contains("names region eu-west-1"), "a region after ${AWS::Partition} is found")
    }

    func testPortableArnsAreFine() throws {
        XCTAssertEqual(try findings("""
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Sub "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:t"
                  Protocol: lambda
                  Endpoint: !Sub "arn:${AWS::Partition}:lambda:${MainRegion}:${AWS::AccountId}:function:f"

            """), [])
    }

    /// The origin design (Tests/Fixtures/origin-design.yaml) carries exactly these flaws on purpose.
    func testOriginTemplate() throws {
        let t = try TemplateParser.parse(try originTemplateText(), file: "origin-design.yaml")
        let f = checks.run(t)
        let wildcard = f.filter { $0.rule == "wildcard-resource" }
        XCTAssertEqual(wildcard.map(\.keyPath), [
            "Resources.FilterRole.Properties.Policies[1].PolicyDocument.Statement[0]",
            "Resources.FilterRole.Properties.Policies[2].PolicyDocument.Statement[0]",
        ])
        if wildcard.count == 2 {  // else the paths above already failed; do not crash on [1]
            XCTAssertTrue(wildcard[0].message.contains("sns:Publish") && wildcard[1].message.contains("sts:AssumeRole"), "\(wildcard)")
        }
        XCTAssertEqual(f.filter { $0.rule == "hard-coded-partition" }.map(\.keyPath), [
            "Resources.ReceiveTopic.Properties.Subscription[0].Endpoint",
            "Resources.FilterRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource",
        ])
        XCTAssertEqual(f.filter { $0.rule == "hard-coded-region" }.map(\.keyPath), ["Resources.ReceiveTopic.Properties.Subscription[0].Endpoint"])
        // Nothing else: no unresolved reference, condition-scope or schema finding. A hand-written template:
        // the portability rules are warnings (cfn-lint's convention), the wildcard grants errors.
        XCTAssertEqual(f.count, 5, "\(f)")
        XCTAssertEqual(Set(wildcard.map(\.severity)), [.error])
        XCTAssertEqual(Set(f.filter { $0.rule.hasPrefix("hard-coded") }.map(\.severity)), [.warning])
        // Checked as one of ours, every finding is an error.
        XCTAssertEqual(Set(checks.run(t, provenance: .catalogWatch).map(\.severity)), [.error])
        // Findings carry the file and position from the parse.
        XCTAssertEqual(f.first { $0.rule == "hard-coded-region" }?.file, "origin-design.yaml")
        XCTAssertNotNil(f.first { $0.rule == "hard-coded-region" }?.line)
    }
}
