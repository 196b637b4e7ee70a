import AlertStack
import CloudFormation
import Layout
import XCTest

@testable import DeployAPI
@testable import Deployment

/// One `StackSetPlan` per alert StackSet, rendered three ways: the StackSet resource of stackset.yaml, the
/// AWS CLI inputs and the API calls of deploy. The three must say the same thing for every rollout.
final class StackSetPlanTests: XCTestCase {
    func testTheResourceTheCLIInputAndTheAPICallsAgree() throws {
        for rollout in Layout.Rollout.allCases {
            var layout = Layout(
                mainRegion: "ap-northeast-1", regions: ["ap-northeast-1", "us-east-1", "eu-west-1"], organizationId: "o-exampleorg1",
                notificationEmail: "ops@example.com", managementAccountId: "111122223333", rollout: rollout)
            layout.tags = [Layout.Tag("owner", "platform")]
            layout.lambdaCode = Layout.LambdaCode(bucket: "artifacts", key: "catalogwatch/filter-x86_64-0123456789abcdef.zip")
            let alert = AlertStack.template(for: layout)
            let stackSets = StackSetArtifacts.stackSetTemplate(for: layout, alertStack: alert, alertStackBody: "body")
            let target = try DeploymentTarget(layout: layout, account: "111122223333", code: layout.lambdaCode!)
            let plans = StackSetArtifacts.plans(for: layout)
            XCTAssertEqual(plans.map(\.stackSetName), target.stackSets.map(\.name), "\(rollout)")
            for (plan, deployed) in zip(plans, target.stackSets) {
                let resource = try XCTUnwrap(stackSets.resource(plan.logicalName))
                let cliSet = StackSetArtifacts.createStackSetInput(for: layout, wave: plan, alertStack: alert, alertStackBody: "body")
                let cliInstances = StackSetArtifacts.createStackInstancesInput(for: layout, wave: plan)
                // Definition: name, description, capabilities and tags.
                XCTAssertEqual(resource.property("StackSetName")?.stringValue, deployed.definition.name)
                XCTAssertEqual(cliSet["StackSetName"]?.stringValue, deployed.definition.name)
                XCTAssertEqual(resource.property("Description")?.stringValue, deployed.definition.description)
                XCTAssertEqual(cliSet["Description"]?.stringValue, deployed.definition.description)
                XCTAssertEqual(resource.property("Capabilities"), cliSet["Capabilities"])
                XCTAssertEqual(deployed.definition.capabilities, ["CAPABILITY_IAM"])
                XCTAssertEqual(cliSet["Tags"], [["Key": "owner", "Value": "platform"]])
                XCTAssertEqual(deployed.definition.tags.map { "\($0.0)=\($0.1)" }, ["owner=platform"])
                // Rollout: the same settings and region order everywhere.
                let resourcePrefs = try XCTUnwrap(resource.property("OperationPreferences"))
                let api = deployed.rollout.operationPreferences
                XCTAssertEqual(resourcePrefs["RegionOrder"], .list(api.regionOrder.map(CFNValue.string)))
                XCTAssertEqual(cliInstances["OperationPreferences"]?["RegionOrder"], resourcePrefs["RegionOrder"])
                for setting in StackSetRollout.Setting.allCases {
                    let apiValue = api.settings.first { $0.key == setting.key }?.value
                    XCTAssertEqual(resourcePrefs[setting.key].flatMap(scalar), apiValue, "\(rollout) \(plan.logicalName) \(setting.key)")
                    XCTAssertEqual(cliInstances["OperationPreferences"]?[setting.key].flatMap(scalar), apiValue, "\(setting.key)")
                }
            }
        }
    }

    func testTheMemberStackSetsRollOutByAccountShares() throws {
        let layout = Layout(
            mainRegion: "eu-west-1", regions: ["eu-west-1", "us-east-1"], organizationId: "o-exampleorg1", managementAccountId: "111122223333",
            source: .eventBridge, organizationalUnits: ["ou-ab12-cdef3456"])
        let target = try DeploymentTarget(layout: layout, account: "111122223333", code: .init(bucket: "artifacts", key: "k.zip"))
        let member = try XCTUnwrap(target.memberStackSet)
        XCTAssertEqual(member.rollout.operationPreferences.settings.map { "\($0.key)=\($0.value)" },
                       ["RegionConcurrencyType=PARALLEL", "MaxConcurrentPercentage=25", "FailureTolerancePercentage=10"])
        let t = StackSetArtifacts.stackSetTemplate(for: layout, alertStack: AlertStack.template(for: layout), alertStackBody: "a", memberBody: "m")
        let prefs = try XCTUnwrap(t.resources.first { $0.value.property("StackSetName")?.stringValue == member.name }?.value.property("OperationPreferences"))
        for setting in member.rollout.operationPreferences.settings {
            XCTAssertEqual(prefs[setting.key].flatMap(scalar), setting.value, setting.key)
        }
    }

    private func scalar(_ value: CFNValue) -> String? {
        switch value {
        case .string(let s), .number(let s): s
        default: nil
        }
    }
}
