import Foundation
import TestSupport
import XCTest
import YAML

@testable import CloudFormation

/// The repository root, found from this file's path.
let repositoryRoot = Tools.packageRoot

/// The origin design's template, rewritten as a fixture with its flaws kept on purpose:
/// Tests/Fixtures/origin-design.yaml, inside this repository.
func originTemplateText() throws -> String {
    let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/origin-design.yaml")
    return try String(contentsOf: fixture, encoding: .utf8)
}

final class TemplateRoundTripTests: XCTestCase {
    func sampleTemplate() -> Template {
        var b = TemplateBuilder(description: "サンプル: a template with every construct")
        let env = b.parameter("Env", .string("Environment", default: "prod", allowedValues: ["prod", "dev"]))
        b.parameter("Secret", Parameter(type: "String", description: "A secret", noEcho: true))
        b.parameter("Count", Parameter(type: "Number", default: 3, minValue: 1, maxValue: 10))
        let isProd = b.condition("IsProd", .equals(env.ref, "prod"))
        b.condition("IsTokyoProd", .and([.condition(isProd), .equals(.region, "ap-northeast-1")]))
        b.condition("IsNotProd", .not(.condition(isProd)))
        b.condition("Either", .or([.condition(isProd), .equals(.accountId, "111122223333")]))
        b.mapping("RegionMap", [CFNField("ap-northeast-1", ["Name": "Tokyo", "Zone": "0123"])])
        b.template.resources.append(
            Named(
                "Queue",
                Resource(
                    type: "AWS::SQS::Queue", condition: "IsProd", dependsOn: ["Other"], deletionPolicy: "Retain",
                    updateReplacePolicy: "Retain", metadata: ["Note": "multi\nline\ntext\n"],
                    properties: [
                        CFNField("QueueName", .sub("${AWS::StackName}-q")),
                        CFNField("DelaySeconds", 0),
                        CFNField("Tags", [["Key": "yes", "Value": "2012-10-17"], ["Key": "on", "Value": "0x1F"]]),
                        CFNField("Sub", .sub("${A}-${B}", ["A": .region, "B": .select(0, .getAZs())])),
                        CFNField("Join", .join(",", [.split("|", "a|b"), .importValue(.sub("${Env}-x"))])),
                        CFNField("If", .if(isProd, .findInMap("RegionMap", .region, "Name"), .noValue)),
                        CFNField("B64", .base64(.sub("echo ${AWS::Region}"))),
                        CFNField("Att", .function("Fn::GetAtt", ["Other", "Arn"])),
                        CFNField("Flag", true),
                        CFNField("Ratio", 0.5),
                        CFNField("Empty", []),
                        CFNField("Nothing", .null),
                    ])))
        b.template.resources.append(Named("Other", Resource(type: "AWS::SNS::Topic")))
        b.output("QueueUrl", .ref("Queue"), description: "The queue", exportName: .sub("${AWS::StackName}-QueueUrl"), condition: isProd)
        return b.template
    }

    func testYAMLRoundTrip() throws {
        let t = sampleTemplate()
        let yaml = try t.rendered(.yaml)
        XCTAssertEqual(try TemplateParser.parse(yaml), t, yaml)
    }

    func testJSONRoundTrip() throws {
        let t = sampleTemplate()
        let json = try t.rendered(.json)
        XCTAssertEqual(try TemplateParser.parse(json), t, json)
        // JSON output is valid JSON for a real JSON reader, with long-form intrinsics.
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let resources = object?["Resources"] as? [String: Any]
        let queue = (resources?["Queue"] as? [String: Any])?["Properties"] as? [String: Any]
        XCTAssertNotNil((queue?["QueueName"] as? [String: Any])?["Fn::Sub"])
    }

    func testShortFormTagsAndCanonicalOrder() throws {
        let yaml = try sampleTemplate().rendered(.yaml)
        for expected in ["!Sub ${AWS::StackName}-q", "!GetAtt Other.Arn", "!Equals", "!If", "!Ref AWS::NoValue",
                         "!Select", "!GetAZs ''", "!FindInMap", "Fn::ImportValue: !Sub", "!Condition IsProd", "!Split", "!Join"] {
            XCTAssertTrue(yaml.contains(expected), "missing \(expected) in\n\(yaml)")
        }
        // !Base64 of a !Sub cannot carry two tags: the outer function stays long form.
        XCTAssertTrue(yaml.contains("Fn::Base64: !Sub"), yaml)
        let sections = yaml.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }.map { String($0.split(separator: ":")[0]) }
        XCTAssertEqual(sections, ["AWSTemplateFormatVersion", "Description", "Parameters", "Mappings", "Conditions", "Resources", "Outputs"])
        let queueKeys = yaml.components(separatedBy: "\n  Queue:\n")[1].components(separatedBy: "\n  Other:\n")[0]
            .split(separator: "\n").filter { $0.hasPrefix("    ") && !$0.hasPrefix("     ") }.map { String($0.dropFirst(4).split(separator: ":")[0]) }
        XCTAssertEqual(queueKeys, ["Type", "Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "Properties"])
        // Ambiguous scalars are quoted.
        XCTAssertTrue(yaml.contains("Key: 'yes'"), yaml)
        XCTAssertTrue(yaml.contains("Value: '2012-10-17'"), yaml)
        XCTAssertTrue(yaml.contains("AWSTemplateFormatVersion: '2010-09-09'"), yaml)
    }

    func testRenderingIsDeterministic() throws {
        XCTAssertEqual(try sampleTemplate().rendered(.yaml), try sampleTemplate().rendered(.yaml))
        XCTAssertEqual(try sampleTemplate().rendered(.json), try sampleTemplate().rendered(.json))
    }

    func testOriginTemplateParses() throws {
        let text = try originTemplateText()
        let t = try TemplateParser.parse(text, file: "origin-design.yaml")
        XCTAssertEqual(t.parameters.map(\.name), ["OrganizationId", "AlertEmail"])
        XCTAssertEqual(t.resources.map(\.name), [
            "ReceiveTopic", "ReceivePolicy", "AlertTopic", "AlertEmailSubscription", "FilterRole", "FilterFunction", "FilterInvoke",
        ])
        XCTAssertEqual(t.resource("FilterFunction")?.property("Runtime"), .string("python3.8"))
        XCTAssertEqual(t.conditions.first?.value, .function("Fn::Equals", [.ref("AWS::Region"), "ap-northeast-1"]))
        XCTAssertEqual(t.resource("FilterRole")?.property("Path"), "/")
        // The inline code is a literal block (|): read with its line breaks; the round trips below keep it.
        let zip = try XCTUnwrap(t.resource("FilterFunction")?.property("Code")?["ZipFile"]?.stringValue, "FilterFunction has no inline code")
        XCTAssertTrue(zip.hasPrefix("import os\nimport boto3\n\n") && zip.hasSuffix("Message=text)\n"), zip)
        // Round trip through our own emitter.
        XCTAssertEqual(try TemplateParser.parse(try t.rendered(.yaml)), t)
        XCTAssertEqual(try TemplateParser.parse(try t.rendered(.json)), t)
    }

    func testLongFormAndShortFormReadTheSame() throws {
        let short = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: !GetAtt X.Arn\n      B: !Sub '${AWS::Region}'\n"
        let long = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A:\n        Fn::GetAtt: [X, Arn]\n      B:\n        Fn::Sub: '${AWS::Region}'\n"
        let dotted = "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"A\": {\"Fn::GetAtt\": \"X.Arn\"}, \"B\": {\"Fn::Sub\": \"${AWS::Region}\"}}}}}"
        let a = try TemplateParser.parse(short)
        XCTAssertEqual(a, try TemplateParser.parse(long))
        XCTAssertEqual(a, try TemplateParser.parse(dotted))
    }

    func testTemplateErrorsNameLineAndColumn() {
        let cases: [(String, String, Int)] = [
            ("Resources:\n  T:\n    Properties: {}\n", "resource T has no Type", 2),
            ("Parameters:\n  P:\n    Default: x\nResources: {}\n", "parameter P has no Type", 2),
            ("Resourcs:\n  T:\n    Type: X\n", "unknown template section 'Resourcs'", 1),
            ("Resources:\n  T:\n    Type: X\n    Properties:\n      A: !Ref [a, b]\n", "!Ref takes a name", 5),
        ]
        for (text, message, line) in cases {
            XCTAssertThrowsError(try TemplateParser.parse(text, file: "t.yaml")) { error in
                let e = error as? YAMLError
                XCTAssertTrue(e?.message.contains(message) ?? false, "\(String(describing: e))")
                XCTAssertEqual(e?.mark?.line, line, "\(String(describing: e))")
            }
        }
    }

    func testPolicyDocumentRendering() throws {
        let doc = PolicyDocument([
            PolicyStatement(
                sid: "S", principal: .anyone, actions: ["sns:Publish"], resources: [.ref("T")],
                conditions: [
                    PolicyCondition(.stringEquals, "aws:PrincipalOrgID", .ref("Org")),
                    PolicyCondition(.arnLike, "aws:SourceArn", ["arn:a", "arn:b"]),
                    PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId),
                ])
        ])
        let yaml = try YAMLEmitter.emit(doc.cfnValue.yamlNode)
        XCTAssertEqual(
            yaml,
            """
            Version: '2012-10-17'
            Statement:
            - Sid: S
              Effect: Allow
              Principal:
                AWS: '*'
              Action: sns:Publish
              Resource: !Ref T
              Condition:
                StringEquals:
                  aws:PrincipalOrgID: !Ref Org
                  aws:SourceAccount: !Ref AWS::AccountId
                ArnLike:
                  aws:SourceArn:
                  - arn:a
                  - arn:b

            """)
    }
}
