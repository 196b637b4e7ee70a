import Diagnostics
import XCTest
import YAML

@testable import CloudFormation

private let checks = TemplateChecks(scenarios: [.init(region: "us-east-1")], knownRegions: ["us-east-1"])

/// Every section and language extension CloudFormation accepts is read; what cannot be evaluated is a note.
final class TemplateReaderTests: XCTestCase {
    func testEveryTopLevelSectionIsReadAndRendered() throws {
        let text = """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: [AWS::Serverless-2016-10-31, AWS::CodeDeployBlueGreen]
            Metadata:
              cfn-lint: {config: {ignore_checks: [W3005]}}
            Rules:
              R:
                Assertions:
                  - Assert: !Not [!Equals [!Ref P, '']]
            Parameters:
              P: {Type: String, Default: x}
            Mappings:
              M: {a: {b: c}}
            Conditions:
              C: !Equals [!Ref P, x]
            Globals:
              Function: {Timeout: 3}
            Resources:
              F:
                Type: AWS::Serverless::Function
                Properties: {Handler: h, Runtime: python3.12, InlineCode: x}
            Hooks:
              H:
                Type: AWS::CodeDeploy::BlueGreen
                Properties: {Applications: []}

            """
        let t = try TemplateParser.parse(text, file: "all.yaml")
        XCTAssertEqual(t.transforms, [Template.serverlessTransform, "AWS::CodeDeployBlueGreen"])
        XCTAssertEqual(t.globals?["Function"]?["Timeout"], 3)
        XCTAssertNotNil(t.hooks?["H"])
        XCTAssertNotNil(t.rules?["R"])
        XCTAssertEqual(checks.run(t), [])
        // Rendered and read back: the same template (sections in canonical order).
        XCTAssertEqual(try TemplateParser.parse(try t.rendered(.yaml)), t)
        XCTAssertEqual(try TemplateParser.parse(try t.rendered(.json)), t)
    }

    func testForEachIsExpandedWithItsPositions() throws {
        let text = """
            Transform: AWS::LanguageExtensions
            Resources:
              Fn::ForEach::Topics:
                - Name
                - [Alerts, Audit-Log]
                - ${Name}Topic:
                    Type: AWS::SNS::Topic
                    Properties:
                      TopicName: !Sub ${AWS::StackName}-${Name}
                      DisplayName: !Sub '&{Name}'
                  ${Name}Queue:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: !Ref Name
            Outputs:
              Fn::ForEach::Arns:
                - Name
                - [Alerts]
                - Fn::ForEach::Attributes:
                    - Attribute
                    - [TopicArn, TopicName]
                    - ${Name}${Attribute}:
                        Value: !GetAtt [!Sub '${Name}Topic', !Ref Attribute]

            """
        let t = try TemplateParser.parse(text, file: "loop.yaml")
        XCTAssertEqual(t.resources.map(\.name), ["AlertsTopic", "AlertsQueue", "Audit-LogTopic", "Audit-LogQueue"])
        XCTAssertEqual(t.resource("AlertsTopic")?.property("TopicName"), .sub("${AWS::StackName}-Alerts"))
        XCTAssertEqual(t.resource("Audit-LogTopic")?.property("DisplayName"), "AuditLog", "&{} drops non-alphanumerics; a Sub without variables is a string")
        XCTAssertEqual(t.resource("Audit-LogQueue")?.property("QueueName"), "Audit-Log")
        XCTAssertEqual(t.outputs.map(\.name), ["AlertsTopicArn", "AlertsTopicName"])
        XCTAssertEqual(t.outputs.first?.value.value, .function("Fn::GetAtt", ["AlertsTopic", "TopicArn"]))
        XCTAssertEqual(t.source.positions["Resources.AlertsTopic"], YAMLMark(line: 6, column: 7), "the fragment's key")
        XCTAssertEqual(checks.run(t), [])
    }

    func testForEachOverAParameterUsesItsDefaultAndSaysSo() throws {
        let text = """
            Transform: AWS::LanguageExtensions
            Parameters:
              Names: {Type: CommaDelimitedList, Default: 'a, b'}
              Unknown: {Type: CommaDelimitedList}
            Resources:
              Fn::ForEach::Known:
                - N
                - !Ref Names
                - ${N}Topic: {Type: AWS::SNS::Topic}
              Fn::ForEach::Unknown:
                - N
                - !Ref Unknown
                - ${N}Queue: {Type: AWS::SQS::Queue}
            Outputs:
              Q:
                Value: !Ref FirstQueue
              Missing:
                Value: !Ref Nowhere

            """
        let t = try TemplateParser.parse(text, file: "p.yaml")
        XCTAssertEqual(t.resources.map(\.name), ["aTopic", "bTopic"])
        XCTAssertEqual(t.source.unexpandedNames["Resources"], ["*Queue"])
        let d = checks.run(t)
        XCTAssertEqual(d.map(\.rule), ["not-evaluated", "not-evaluated", "not-evaluated", "unresolved-ref"], "\(d)")
        XCTAssertEqual(d.map(\.severity), [.note, .note, .note, .error])
        XCTAssertTrue(d[0].message.contains("expanded with the default of parameter Names (a, b)"), d[0].message)
        XCTAssertEqual([d[0].line, d[0].column], [6, 3])
        XCTAssertTrue(d[1].message.contains("parameter Unknown, which has no default"), d[1].message)
        XCTAssertEqual(d[2].message, "FirstQueue: an Fn::ForEach the checks could not expand may declare it; not checked")
        XCTAssertEqual(d[3].keyPath, "Outputs.Missing.Value")
    }

    func testLanguageExtensionsNeedTheirTransform() throws {
        let text = """
            Parameters:
              L: {Type: CommaDelimitedList, Default: a}
            Resources:
              T:
                Type: AWS::SNS::Topic
                DeletionPolicy: !If [C, Retain, Delete]
                Properties:
                  TopicName: !Select [!Length [!Ref L], [a, b]]
              F:
                Type: AWS::Serverless::Function
                Properties: {Handler: h}

            """
        let d = checks.run(try TemplateParser.parse(text, file: "t.yaml")).filter { $0.rule == "transform-required" }
        XCTAssertEqual(d.map(\.message), [
            "an intrinsic function in DeletionPolicy needs Transform: AWS::LanguageExtensions",
            "Fn::Length needs Transform: AWS::LanguageExtensions",
            "AWS::Serverless::Function needs Transform: AWS::Serverless-2016-10-31",
        ])
        XCTAssertEqual(Set(d.map(\.severity)), [.error])
        XCTAssertEqual(d.first?.line, 6)
    }

    func testIntrinsicPropertiesPoliciesAndMappingDefaults() throws {
        let text = """
            Transform: AWS::LanguageExtensions
            Parameters:
              Env: {Type: String, Default: dev}
            Mappings:
              Sizes: {prod: {Retention: 1209600}}
            Conditions:
              Fifo: !Equals [!Ref Env, prod]
            Resources:
              Q:
                Type: AWS::SQS::Queue
                DeletionPolicy: !If [Fifo, Retain, Delete]
                UpdateReplacePolicy: !FindInMap [Sizes, !Ref Env, Policy, DefaultValue: Delete]
                Properties: !If
                  - Fifo
                  - {FifoQueue: true, MessageRetentionPeriod: !FindInMap [Sizes, prod, Retention]}
                  - {MessageRetentionPeriod: !FindInMap [Sizes, !Ref Env, Retention, DefaultValue: 345600], Fifo: yes}
              Missing:
                Type: AWS::SQS::Queue
                Properties:
                  DelaySeconds: !FindInMap [Sizes, dev, Retention]
                  MaximumMessageSize: !FindInMap [Nope, a, b]

            """
        let t = try TemplateParser.parse(text, file: "q.yaml")
        let q = try XCTUnwrap(t.resource("Q"))
        XCTAssertEqual(q.deletionPolicy, .function("Fn::If", ["Fifo", "Retain", "Delete"]))
        XCTAssertTrue(q.properties.isEmpty)
        XCTAssertEqual(q.propertiesExpression?.function?.name, "Fn::If")
        XCTAssertEqual(try TemplateParser.parse(try t.rendered(.yaml)), t)
        let d = checks.run(t)
        XCTAssertEqual(d.map(\.rule), ["unresolved-mapping", "unresolved-mapping", "unknown-property"], "\(d)")
        XCTAssertEqual(d[0].message, "!FindInMap Sizes: no top-level key 'dev'")
        XCTAssertEqual(d[1].message, "!FindInMap Nope: no mapping has that name")
        XCTAssertEqual(d[2].keyPath, "Resources.Q.Properties.Fifo", "the schema is checked in each !If branch")
        XCTAssertEqual(d[2].line, 16)
    }

    func testSAMGeneratedNamesAreNotesNotErrors() throws {
        let text = """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {Handler: h, Runtime: python3.12, InlineCode: x}
            Outputs:
              Role: {Value: !GetAtt FnRole.Arn}
              Version: {Value: !Ref Fn.Version}
              Api: {Value: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com'}
              Other: {Value: !Ref Elsewhere}

            """
        let d = checks.run(try TemplateParser.parse(text, file: "sam.yaml"))
        XCTAssertEqual(d.map(\.severity), [.note, .note, .note, .error], "\(d)")
        XCTAssertEqual(d.map(\.keyPath), ["Outputs.Role.Value", "Outputs.Version.Value", "Outputs.Api.Value", "Outputs.Other.Value"])
        XCTAssertEqual(d[0].message, "FnRole: the SAM transform generates it; not checked")
    }
}
