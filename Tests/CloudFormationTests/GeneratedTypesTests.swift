import Diagnostics
import Foundation
import TestSupport
import XCTest

@testable import CloudFormation

/// Paths and process helpers shared by the generated-type and compile-fail tests.
enum CodegenTestSupport {
    /// The package root, found from this file's path.
    static let packageRoot = Tools.packageRoot

    /// Directories that may hold the build products (executables, modules) of this test run.
    static var productDirectories: [URL] {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        return candidates
    }

    /// The built `cfn-codegen` executable next to the test bundle (or in `.build/debug`).
    static func generatorExecutable() throws -> URL {
        for directory in productDirectories {
            let url = directory.appendingPathComponent("cfn-codegen")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw Failure("cfn-codegen not built; searched \(productDirectories.map(\.path))")
    }

    /// cfn-lint's `data/schemas` directory, or a skip when cfn-lint is not installed.
    static func cfnLintSchemaDirectory() throws -> String {
        let result = try run(
            "/usr/bin/env",
            ["python3", "-c", "import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'schemas'))"])
        let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !path.isEmpty else { throw XCTSkip("cfn-lint is not installed (python3 -c 'import cfnlint' failed)") }
        return path
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a process to completion with TestSupport's runner; its exit status and its stdout followed by its stderr.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try Tools.execute(executable, arguments)
        return (result.status, result.stdout + result.stderr)
    }

    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

final class GeneratedTypesTests: XCTestCase {
    // MARK: Properties

    func testPropertiesFollowDeclarationOrderAndSkipNil() {
        var topic = SNS.Topic()
        XCTAssertEqual(topic.properties, [])
        topic.topicName = .sub("${NamePrefix}-alerts")
        topic.displayName = "Alerts"
        topic.fifoTopic = false
        XCTAssertEqual(
            topic.properties,
            [
                CFNField("DisplayName", "Alerts"),
                CFNField("FifoTopic", false),
                CFNField("TopicName", .sub("${NamePrefix}-alerts")),
            ])
        topic.displayName = nil
        XCTAssertEqual(topic.properties.map(\.key), ["FifoTopic", "TopicName"])
    }

    func testRequiredPropertiesAreInitParametersAndAlwaysRendered() {
        let permission = Lambda.Permission(
            action: "lambda:InvokeFunction", functionName: .ref("Fn"), principal: "sns.amazonaws.com",
            sourceAccount: .accountId)
        XCTAssertEqual(
            permission.properties,
            [
                CFNField("Action", "lambda:InvokeFunction"),
                CFNField("FunctionName", .ref("Fn")),
                CFNField("Principal", "sns.amazonaws.com"),
                CFNField("SourceAccount", .accountId),
            ])
        // Keyword property names are escaped and keep their schema key.
        var subscription = SNS.Subscription(protocol: "email", topicArn: .ref("Topic"))
        subscription.endpoint = "ops@example.com"
        XCTAssertEqual(subscription.protocol, "email")
        XCTAssertEqual(subscription.properties.map(\.key), ["Endpoint", "Protocol", "TopicArn"])
        XCTAssertEqual(ResourceSchemaRegistry.requiredProperties["AWS::Lambda::Permission"], ["Action", "FunctionName", "Principal"])
        XCTAssertEqual(ResourceSchemaRegistry.requiredProperties["AWS::SNS::Topic"], [])
    }

    func testNestedStructsRenderAsOrderedObjects() {
        var code = Lambda.Function.Code()
        code.s3Key = "filter.zip"
        code.s3Bucket = .ref("Bucket")
        var function = Lambda.Function(code: code, role: .function("Fn::GetAtt", ["Role", "Arn"]))
        function.loggingConfig = Lambda.Function.LoggingConfig(logFormat: "JSON", logGroup: .ref("Logs"))
        function.environment = Lambda.Function.Environment(variables: ["A": "1", "B": .ref("B")])
        function.runtime = "provided.al2023"
        function.architectures = ["arm64"]
        function.tags = [Lambda.Function.Tag(key: "team", value: "ops")]
        XCTAssertEqual(
            function.properties,
            [
                CFNField("Architectures", ["arm64"]),
                CFNField("Code", ["S3Bucket": .ref("Bucket"), "S3Key": "filter.zip"]),
                CFNField("Environment", ["Variables": ["A": "1", "B": .ref("B")]]),
                CFNField("LoggingConfig", ["LogFormat": "JSON", "LogGroup": .ref("Logs")]),
                CFNField("Role", .function("Fn::GetAtt", ["Role", "Arn"])),
                CFNField("Runtime", "provided.al2023"),
                CFNField("Tags", [["Key": "team", "Value": "ops"]]),
            ])

        let topic = SNS.Topic(deliveryStatusLogging: [
            SNS.Topic.LoggingConfig(protocol: "sqs", successFeedbackSampleRate: "100")
        ])
        XCTAssertEqual(
            topic.properties,
            [CFNField("DeliveryStatusLogging", [["Protocol": "sqs", "SuccessFeedbackSampleRate": "100"]])])

        // Arrays of nested structs inside nested structs; an inline object property becomes its own struct.
        var stackSet = CFN.StackSet(permissionModel: "SERVICE_MANAGED", stackSetName: "catalogwatch")
        stackSet.managedExecution = CFN.StackSet.ManagedExecution(active: true)
        stackSet.stackInstancesGroup = [
            CFN.StackSet.StackInstances(
                deploymentTargets: CFN.StackSet.DeploymentTargets(organizationalUnitIds: ["r-abcd"]),
                regions: ["us-east-1"],
                parameterOverrides: [CFN.StackSet.Parameter(parameterKey: "MainRegion", parameterValue: "us-east-1")])
        ]
        XCTAssertEqual(
            stackSet.properties.map(\.key), ["ManagedExecution", "PermissionModel", "StackInstancesGroup", "StackSetName"])
        XCTAssertEqual(
            stackSet.properties[2].value,
            [[
                "DeploymentTargets": ["OrganizationalUnitIds": ["r-abcd"]],
                "ParameterOverrides": [["ParameterKey": "MainRegion", "ParameterValue": "us-east-1"]],
                "Regions": ["us-east-1"],
            ]])
    }

    func testSwiftNamesFollowTheNamingRules() {
        var queue = SQS.Queue()
        queue.kmsMasterKeyId = "alias/aws/sqs"
        queue.sqsManagedSseEnabled = true
        queue.redrivePolicy = ["deadLetterTargetArn": .ref("Dlq"), "maxReceiveCount": 5]
        XCTAssertEqual(queue.properties.map(\.key), ["KmsMasterKeyId", "RedrivePolicy", "SqsManagedSseEnabled"])

        var alarm = CloudWatch.Alarm(comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1)
        alarm.okActions = [.ref("Topic")]
        alarm.dimensions = [CloudWatch.Alarm.Dimension(name: "FunctionName", value: .ref("Fn"))]
        XCTAssertEqual(alarm.properties.map(\.key), ["ComparisonOperator", "Dimensions", "EvaluationPeriods", "OKActions"])

        var stackSet = CFN.StackSet(permissionModel: "SELF_MANAGED", stackSetName: "s")
        stackSet.administrationRoleARN = "arn:aws:iam::111122223333:role/Admin"
        XCTAssertEqual(stackSet.properties.first?.key, "AdministrationRoleARN")

        var source = Lambda.EventSourceMapping(functionName: .ref("Fn"))
        source.documentDBEventSourceConfig = Lambda.EventSourceMapping.DocumentDBEventSourceConfig(fullDocument: "Default")
        source.functionResponseTypes = ["ReportBatchItemFailures"]
        XCTAssertEqual(source.properties.map(\.key), ["DocumentDBEventSourceConfig", "FunctionName", "FunctionResponseTypes"])
    }

    // MARK: Attributes

    func testAttributesMatchTheSchemaReadOnlyProperties() {
        XCTAssertEqual(SNS.Topic.Attribute.allCases.map(\.rawValue), ["TopicArn"])
        XCTAssertEqual(SQS.Queue.Attribute.allCases.map(\.rawValue), ["Arn", "QueueUrl"])
        XCTAssertEqual(
            Lambda.Function.Attribute.allCases.map(\.rawValue),
            ["Arn", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"])
        XCTAssertEqual(Lambda.Function.Attribute.snapStartResponseApplyOn.rawValue, "SnapStartResponse.ApplyOn")
        XCTAssertEqual(ResourceSchemaRegistry.attributes["AWS::Lambda::Function"], Lambda.Function.Attribute.allCases.map(\.rawValue))
        XCTAssertEqual(ResourceSchemaRegistry.attributes["AWS::IAM::Role"], IAM.Role.Attribute.allCases.map(\.rawValue))
        // Read-only properties are not settable members.
        XCTAssertFalse(ResourceSchemaRegistry.properties["AWS::SNS::Topic"]!.contains("TopicArn"))

        var builder = TemplateBuilder()
        let topic = builder.resource("Topic", SNS.Topic())
        let function = builder.resource(
            "Fn", Lambda.Function(code: Lambda.Function.Code(zipFile: "x"), role: "arn:aws:iam::111122223333:role/r"))
        XCTAssertEqual(topic.getAtt(.topicArn), .function("Fn::GetAtt", ["Topic", "TopicArn"]))
        XCTAssertEqual(
            function.getAtt(.snapStartResponseApplyOn), .function("Fn::GetAtt", ["Fn", "SnapStartResponse.ApplyOn"]))
        XCTAssertEqual(builder.template.resource("Fn")?.type, "AWS::Lambda::Function")
    }

    func testEveryGeneratedTypeIsInTheRegistry() {
        let types: [any ResourceType.Type] = [
            Chatbot.MicrosoftTeamsChannelConfiguration.self, Chatbot.SlackChannelConfiguration.self, DynamoDB.Table.self,
            Events.EventBus.self, Events.EventBusPolicy.self, Events.Rule.self, KMS.Alias.self, KMS.Key.self,
            CFN.StackSet.self, CloudWatch.Alarm.self, IAM.ManagedPolicy.self, IAM.Role.self,
            Lambda.EventSourceMapping.self, Lambda.Function.self, Lambda.Permission.self, Logs.LogGroup.self,
            SNS.Subscription.self, SNS.Topic.self, SNS.TopicPolicy.self, SQS.Queue.self, SQS.QueuePolicy.self,
        ]
        XCTAssertEqual(types.map { $0.typeName }.sorted(), ResourceSchemaRegistry.schemaHashes.keys.sorted())
        XCTAssertEqual(ResourceSchemaRegistry.properties.keys.sorted(), ResourceSchemaRegistry.schemaHashes.keys.sorted())
        XCTAssertEqual(ResourceSchemaRegistry.schemaHashes["AWS::SNS::Topic"]?.count, 16)
        XCTAssertFalse(ResourceSchemaRegistry.cfnLintVersion.isEmpty)
    }

    // MARK: Registry

    func testRegistryAllowedValues() throws {
        let lambda = try XCTUnwrap(ResourceSchemaRegistry.allowedValues["AWS::Lambda::Function"])
        XCTAssertTrue(try XCTUnwrap(lambda["Runtime"]).contains("provided.al2023"))
        XCTAssertEqual(lambda["Architectures"], ["x86_64", "arm64"])
        XCTAssertEqual(lambda["LoggingConfig.LogFormat"], ["Text", "JSON"])
        // Paths name properties, not definitions: SNS Topic's LoggingConfig definition is the item type of
        // DeliveryStatusLogging.
        XCTAssertEqual(
            ResourceSchemaRegistry.allowedValues["AWS::SNS::Topic"]?["DeliveryStatusLogging.Protocol"],
            ["http/s", "sqs", "lambda", "firehose", "application"])
        // Integer enums are kept as their text.
        XCTAssertTrue(
            try XCTUnwrap(ResourceSchemaRegistry.allowedValues["AWS::Logs::LogGroup"]?["RetentionInDays"]).contains("14"))
        // Enums of referenced scalar definitions, through lists of objects.
        XCTAssertEqual(
            ResourceSchemaRegistry.allowedValues["AWS::CloudFormation::StackSet"]?["Capabilities"],
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
        XCTAssertNotNil(
            ResourceSchemaRegistry.allowedValues["AWS::CloudFormation::StackSet"]?[
                "StackInstancesGroup.DeploymentTargets.AccountFilterType"])
        // Types without enums have no entry.
        XCTAssertNil(ResourceSchemaRegistry.allowedValues["AWS::SNS::Subscription"])
    }

    // MARK: Schema validation

    func testValidationReportsValuesOutsideTheEnum() throws {
        var function = Lambda.Function(code: Lambda.Function.Code(zipFile: "x"), role: .ref("Role"))
        function.runtime = "swift6.0"
        function.architectures = ["arm64", "sparc", .ref("Arch")]
        function.loggingConfig = Lambda.Function.LoggingConfig(logFormat: "XML")
        let findings = SchemaValidation.validate(resource: resource(function), named: "Filter")
        XCTAssertEqual(findings.map(\.rule), ["value-not-allowed", "value-not-allowed", "value-not-allowed"])
        XCTAssertEqual(Set(findings.map(\.severity)), [.error])
        XCTAssertEqual(findings.map(\.keyPath), [
            "Resources.Filter.Properties.Architectures", "Resources.Filter.Properties.LoggingConfig.LogFormat",
            "Resources.Filter.Properties.Runtime",
        ])
        XCTAssertTrue(findings[0].message.contains("has value 'sparc'"), findings[0].message)
        let runtime = try XCTUnwrap(findings.last)
        XCTAssertTrue(runtime.message.hasPrefix("Filter (AWS::Lambda::Function): property 'Runtime' has value 'swift6.0', allowed values: "))
        XCTAssertTrue(runtime.message.contains("provided.al2023"))
        XCTAssertTrue(runtime.message.hasSuffix((ResourceSchemaRegistry.allowedValues["AWS::Lambda::Function"]?["Runtime"] ?? []).joined(separator: ", ")))
        XCTAssertEqual(findings[1].message, "Filter (AWS::Lambda::Function): property 'LoggingConfig.LogFormat' has value 'XML', allowed values: Text, JSON")

        // Nested in a list of objects; integer enums; intrinsics are not judged.
        let topic = SNS.Topic(deliveryStatusLogging: [
            SNS.Topic.LoggingConfig(protocol: "sqs"), SNS.Topic.LoggingConfig(protocol: "smtp"),
            SNS.Topic.LoggingConfig(protocol: .ref("Proto")),
        ])
        XCTAssertEqual(
            SchemaValidation.validate(resource: resource(topic), named: "T").map(\.message),
            ["T (AWS::SNS::Topic): property 'DeliveryStatusLogging.Protocol' has value 'smtp', allowed values: http/s, sqs, lambda, firehose, application"])
        var logs = Logs.LogGroup(retentionInDays: 14)
        XCTAssertEqual(SchemaValidation.validate(resource: resource(logs), named: "L"), [])
        logs.retentionInDays = 15
        XCTAssertEqual(SchemaValidation.validate(resource: resource(logs), named: "L").map(\.message), [
            "L (AWS::Logs::LogGroup): property 'RetentionInDays' has value '15', allowed values: "
                + (ResourceSchemaRegistry.allowedValues["AWS::Logs::LogGroup"]?["RetentionInDays"] ?? []).joined(separator: ", ")
        ])
        logs.retentionInDays = .ref("Days")
        XCTAssertEqual(SchemaValidation.validate(resource: resource(logs), named: "L"), [])
    }

    func testValidationReportsUnknownReadOnlyAndMissingProperties() {
        let raw = Resource(
            type: "AWS::Lambda::Permission",
            properties: [
                CFNField("Action", "lambda:InvokeFunction"), CFNField("FunctionName", .ref("Fn")),
                CFNField("Princpal", "sns.amazonaws.com"), CFNField("Id", "x"),
            ])
        let findings = SchemaValidation.validate(resource: raw, named: "Permission")
        XCTAssertEqual(findings.map(\.rule), ["unknown-property", "read-only-property", "missing-required-property"])
        XCTAssertEqual(
            findings.map(\.message),
            [
                "Permission (AWS::Lambda::Permission): unknown property 'Princpal'",
                "Permission (AWS::Lambda::Permission): property 'Id' is read-only (a GetAtt attribute) and cannot be set",
                "Permission (AWS::Lambda::Permission): required property 'Principal' is not set",
            ])
        // Types without generated tables are not checked.
        XCTAssertEqual(
            SchemaValidation.validate(resource: Resource(type: "AWS::S3::Bucket", properties: [CFNField("X", 1)]), named: "B"),
            [])
    }

    func testValidationOfATemplateBuiltFromGeneratedTypesIsClean() {
        var builder = TemplateBuilder()
        let topic = builder.resource("Topic", SNS.Topic(topicName: "alerts"))
        let role = builder.resource("Role", IAM.Role(assumeRolePolicyDocument: ["Version": "2012-10-17", "Statement": []]))
        var function = Lambda.Function(code: Lambda.Function.Code(zipFile: "x"), role: role.getAtt(.arn))
        function.runtime = "provided.al2023"
        let fn = builder.resource("Fn", function)
        builder.resource("Sub", SNS.Subscription(protocol: "lambda", topicArn: topic.ref, endpoint: fn.getAtt(.arn)))
        builder.resource(
            "Perm", Lambda.Permission(action: "lambda:InvokeFunction", functionName: fn.ref, principal: "sns.amazonaws.com"))
        XCTAssertEqual(SchemaValidation.validate(template: builder.template), [])
        builder.template.resources[2].value.properties.append(CFNField("Runtime2", "x"))
        XCTAssertEqual(SchemaValidation.validate(template: builder.template).map(\.keyPath), ["Resources.Fn.Properties.Runtime2"])
    }

    private func resource<R: ResourceType>(_ value: R) -> Resource {
        Resource(type: R.typeName, properties: value.properties)
    }

    // MARK: Generator

    /// The committed sources are exactly what the generator produces from the installed cfn-lint.
    func testGeneratorReproducesCommittedSources() throws {
        let schemas = try CodegenTestSupport.cfnLintSchemaDirectory()
        let generator = try CodegenTestSupport.generatorExecutable()
        let root = CodegenTestSupport.packageRoot
        let output = try CodegenTestSupport.temporaryDirectory("cfn-codegen")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try CodegenTestSupport.run(
            generator.path,
            [schemas, output.path, "--types", root.appendingPathComponent("Sources/cfn-codegen/types.txt").path])
        XCTAssertEqual(result.status, 0, result.output)

        let committed = root.appendingPathComponent("Sources/CloudFormation/Generated")
        let fm = FileManager.default
        let expectedNames = try fm.contentsOfDirectory(atPath: committed.path).filter { $0.hasSuffix(".swift") }.sorted()
        let generatedNames = try fm.contentsOfDirectory(atPath: output.path).sorted()
        XCTAssertEqual(generatedNames, expectedNames, "run scripts/codegen to regenerate")
        for name in generatedNames where expectedNames.contains(name) {
            let generated = try Data(contentsOf: output.appendingPathComponent(name))
            let expected = try Data(contentsOf: committed.appendingPathComponent(name))
            if generated != expected {
                let a = String(decoding: generated, as: UTF8.self).components(separatedBy: "\n")
                let b = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
                let line = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
                XCTFail(
                    "\(name) differs from the generator output at line \(line + 1): generated "
                        + "\(a.indices.contains(line) ? a[line] : "<end>") | committed "
                        + "\(b.indices.contains(line) ? b[line] : "<end>"); run scripts/codegen")
            }
        }
    }
}
