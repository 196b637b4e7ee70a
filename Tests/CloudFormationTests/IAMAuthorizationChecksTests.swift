import Diagnostics
import XCTest

@testable import CloudFormation

private let checks = TemplateChecks(scenarios: [.init(region: "us-east-1")], knownRegions: ["us-east-1"])

private let authorizationRules: Set<String> = Set(TemplateChecks.authorizationRules.map(\.id))

/// The service-authorization findings of a template whose Resources section is `resources`.
private func findings(_ resources: String) throws -> [Diagnostic] {
    let text = """
        Parameters:
          NamePrefix:
            Type: String
          UseQueue:
            Type: String
        Conditions:
          WithQueue: !Equals [!Ref UseQueue, "yes"]
        Resources:
          Topic:
            Type: AWS::SNS::Topic
          Logs:
            Type: AWS::Logs::LogGroup

        """ + resources
    return checks.run(try TemplateParser.parse(text, file: "t.yaml")).filter { authorizationRules.contains($0.rule) }
}

/// A role whose one inline policy has the statement `statement` (YAML, indented for its place).
private func role(_ statement: String) -> String {
    """
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
            - Effect: Allow
              Principal: {Service: lambda.amazonaws.com}
              Action: sts:AssumeRole
          Policies:
          - PolicyName: p
            PolicyDocument:
              Statement:
              - Effect: Allow
    \(statement)

    """
}

private let statementPath = "Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0]"

final class IAMAuthorizationChecksTests: XCTestCase {
    func testRulesAreDescribed() {
        XCTAssertEqual(TemplateChecks.authorizationRules.map(\.id),
            ["iam-unknown-service", "iam-unknown-action", "iam-resource-mismatch", "iam-unknown-condition-key"])
    }

    func testUnsubscribeOnTopicArnIsAMismatch() throws {
        let f = try findings(role("""
                        Action: sns:Unsubscribe
                        Resource: !Sub arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${NamePrefix}-alerts
            """))
        XCTAssertEqual(f.map(\.rule), ["iam-resource-mismatch"], "\(f)")
        XCTAssertEqual(f.first?.keyPath, "\(statementPath).Resource")
        XCTAssertEqual(f.first?.severity, .error)
        XCTAssertEqual(f.first?.line, 27, "positioned at the Resource line")
        XCTAssertTrue(f.first?.message.contains("sns:Unsubscribe") == true, "\(f)")
    }

    func testUnsubscribeOnStarIsClean() throws {
        XCTAssertEqual(try findings(role("""
                        Action: [sns:Unsubscribe, sns:Publish]
                        Resource: "*"
            """)), [])
    }

    func testGetAttAndRefAreSomeArn() throws {
        XCTAssertEqual(try findings(role("""
                        Action: [logs:CreateLogStream, logs:PutLogEvents, sns:Publish]
                        Resource: [!GetAtt Logs.Arn, !Ref Topic]
            """)), [])
        let f = try findings(role("""
                        Action: logs:DescribeLogGroups
                        Resource: !GetAtt Logs.Arn
            """))
        XCTAssertEqual(f.map(\.rule), ["iam-resource-mismatch"], "an action without resource types needs \"*\", not an ARN")
        XCTAssertTrue(f.first?.message.contains("!GetAtt Logs.Arn") == true, "\(f)")
    }

    func testIfBranchesAreCheckedEach() throws {
        let f = try findings(role("""
                        Action: sns:Publish
                        Resource: !If [WithQueue, !Sub "arn:${AWS::Partition}:sqs:*:${AWS::AccountId}:q", !Ref Topic]
            """))
        XCTAssertEqual(f.map(\.rule), ["iam-resource-mismatch"], "the queue branch cannot be a topic: \(f)")
        XCTAssertEqual(try findings(role("""
                        Action: sns:Publish
                        Resource: !If [WithQueue, !Sub "arn:${AWS::Partition}:sns:*:${AWS::AccountId}:t", !Ref Topic]
            """)), [])
    }

    func testActionsAndConditionKeysArePositioned() throws {
        let f = try findings(role("""
                        Action: [sns:Publish, sns:Publsh, snss:Publish]
                        Resource: "*"
                        Condition:
                          StringEquals:
                            aws:SourceAccount: !Ref AWS::AccountId
                            sns:Madeup: x
            """))
        XCTAssertEqual(f.map(\.rule), ["iam-unknown-condition-key", "iam-unknown-action", "iam-unknown-service"], "\(f)")
        XCTAssertEqual(f.map(\.keyPath), [
            "\(statementPath).Condition.StringEquals.sns:Madeup", "\(statementPath).Action[1]", "\(statementPath).Action[2]",
        ])
    }

    func testResourcePoliciesCheckNamesAndKeysOnly() throws {
        let f = try findings("""
              TopicPolicy:
                Type: AWS::SNS::TopicPolicy
                Properties:
                  Topics: [!Ref Topic]
                  PolicyDocument:
                    Statement:
                    - Effect: Allow
                      Principal: {Service: events.amazonaws.com}
                      Action: [sns:Publish, sns:Unsubscribe, sns:Pubish]
                      Resource: !Ref Topic
                      Condition:
                        ArnEquals: {aws:SourceArn: x}

            """)
        XCTAssertEqual(f.map(\.rule), ["iam-unknown-action"], "Resource is the topic itself: not a mismatch: \(f)")
        XCTAssertEqual(f.first?.keyPath, "Resources.TopicPolicy.Properties.PolicyDocument.Statement[0].Action[2]")
    }

    func testDenyStatementsAreNotChecked() throws {
        XCTAssertEqual(try findings("""
              Guardrail:
                Type: AWS::IAM::ManagedPolicy
                Properties:
                  PolicyDocument:
                    Statement:
                    - Effect: Deny
                      Action: sns:Unsubscribe
                      Resource: !Ref Topic

            """), [])
    }
}
