import AlertStack
import Layout
@testable import DeployAPI
import Foundation
import XCTest

@testable import Deployment

/// A layout with three regions, Tokyo first, and the target deploy would build for it.
func sampleTarget(rollout: Layout.Rollout = .sequential, regions: [String] = ["ap-northeast-1", "us-east-1", "eu-west-1"]) throws -> DeploymentTarget {
    let layout = Layout(
        mainRegion: "ap-northeast-1", regions: regions, organizationId: "o-exampleorg1",
        notificationEmail: "ops@example.com", managementAccountId: "111122223333", rollout: rollout)
    return try DeploymentTarget(layout: layout, account: "111122223333", code: .init(bucket: "artifacts", key: "catalogwatch/filter-x86_64-0123456789abcdef.zip"))
}

func instance(_ region: String, _ status: String = "CURRENT", detailed: String? = "SUCCEEDED", account: String = "111122223333") -> StackInstanceSummary {
    StackInstanceSummary(account: account, region: region, status: status, statusReason: nil, detailedStatus: detailed, driftStatus: nil)
}

func deployed(_ set: DeploymentTarget.StackSetTarget) -> StackSetDescription {
    StackSetDescription(
        name: set.name, status: "ACTIVE", templateBody: set.definition.templateBody,
        parameters: Dictionary(set.definition.parameters, uniquingKeysWith: { _, b in b }), capabilities: set.definition.capabilities,
        administrationRoleARN: set.definition.administrationRoleARN, executionRoleName: set.definition.executionRoleName,
        driftStatus: nil, driftDetectionStatus: nil)
}

final class InstancePlanTests: XCTestCase {
    func testANewStackSetIsCreatedWithEveryRegionInRolloutOrder() throws {
        let set = try sampleTarget().stackSets[0]
        let plan = InstancePlan.make(target: set, existing: nil, instances: [], account: "111122223333")
        XCTAssertTrue(plan.createStackSet)
        XCTAssertEqual(plan.add, ["ap-northeast-1", "us-east-1", "eu-west-1"])
        XCTAssertFalse(plan.changesNothing)
    }

    func testAMatchingStackSetChangesNothing() throws {
        let set = try sampleTarget().stackSets[0]
        let plan = InstancePlan.make(target: set, existing: deployed(set), instances: set.regions.map { instance($0) }, account: "111122223333")
        XCTAssertTrue(plan.changesNothing, "\(plan)")
    }

    func testAChangedTemplateOrParameterUpdatesTheStackSetOnce() throws {
        let set = try sampleTarget().stackSets[0]
        var changedBody = deployed(set)
        changedBody.templateBody += "# edited\n"
        var changedParameter = deployed(set)
        changedParameter.parameters["LambdaCodeKey"] = "catalogwatch/filter-x86_64-ffffffffffffffff.zip"
        for existing in [changedBody, changedParameter] {
            let plan = InstancePlan.make(target: set, existing: existing, instances: [instance("ap-northeast-1", "OUTDATED")] + set.regions.dropFirst().map { instance($0) }, account: "111122223333")
            XCTAssertTrue(plan.updateStackSet)
            XCTAssertEqual(plan.update, [], "UpdateStackSet already rolls every instance")
            XCTAssertEqual(plan.add, [])
        }
        XCTAssertEqual(InstancePlan.make(target: set, existing: changedBody, instances: [], account: "111122223333").changes, ["template"])
        XCTAssertEqual(InstancePlan.make(target: set, existing: changedParameter, instances: [], account: "111122223333").changes, ["parameter LambdaCodeKey"])
    }

    func testNewRegionsAreAddedAndDroppedRegionsRemovedInReverseOrder() throws {
        let set = try sampleTarget(regions: ["ap-northeast-1", "eu-west-1"]).stackSets[0]
        let instances = ["ap-northeast-1", "us-east-2", "us-east-1"].map { instance($0) }
        let plan = InstancePlan.make(target: set, existing: deployed(set), instances: instances, account: "111122223333")
        XCTAssertEqual(plan.add, ["eu-west-1"])
        XCTAssertEqual(Set(plan.remove), ["us-east-2", "us-east-1"])
        XCTAssertFalse(plan.createStackSet)
    }

    func testMainRegionIsRemovedLast() {
        let order = InstancePlan.removalOrder(["ap-northeast-1", "eu-west-1", "us-east-1"], rollout: ["ap-northeast-1", "us-east-1", "eu-west-1"])
        XCTAssertEqual(order, ["eu-west-1", "us-east-1", "ap-northeast-1"])
    }

    func testOutdatedFailedAndCancelledInstancesAreUpdated() throws {
        let set = try sampleTarget().stackSets[0]
        let instances = [instance("ap-northeast-1"), instance("us-east-1", "OUTDATED", detailed: "FAILED"), instance("eu-west-1", "OUTDATED", detailed: "CANCELLED")]
        let plan = InstancePlan.make(target: set, existing: deployed(set), instances: instances, account: "111122223333")
        XCTAssertEqual(plan.update, ["us-east-1", "eu-west-1"])
        XCTAssertFalse(plan.updateStackSet)
    }

    func testInoperableInstancesAreCleanedUpNotRemovedOrUpdated() throws {
        let set = try sampleTarget().stackSets[0]
        let instances = [instance("ap-northeast-1"), instance("us-east-1", "INOPERABLE", detailed: "INOPERABLE"), instance("eu-west-1")]
        let plan = InstancePlan.make(target: set, existing: deployed(set), instances: instances, account: "111122223333")
        XCTAssertEqual(plan.inoperable, ["us-east-1"])
        XCTAssertEqual(plan.update, [])
        XCTAssertEqual(plan.remove, [])
    }

    func testInstancesOfOtherAccountsAreIgnored() throws {
        let set = try sampleTarget().stackSets[0]
        let instances = set.regions.map { instance($0) } + [instance("sa-east-1", account: "444455556666")]
        XCTAssertTrue(InstancePlan.make(target: set, existing: deployed(set), instances: instances, account: "111122223333").changesNothing)
    }
}

final class DeploymentTargetTests: XCTestCase {
    func testSequentialRolloutIsOneStackSetMainRegionFirst() throws {
        let target = try sampleTarget()
        XCTAssertEqual(target.stackSets.map(\.name), ["catalogwatch-receive"])
        XCTAssertEqual(target.stackSets[0].rollout, StackSetRollout(regionOrder: ["ap-northeast-1", "us-east-1", "eu-west-1"], pace: .oneRegionAtATime))
        XCTAssertEqual(target.stackSets[0].rollout.operationPreferences.settings.map { "\($0.key)=\($0.value)" },
                       ["RegionConcurrencyType=SEQUENTIAL", "MaxConcurrentCount=1", "FailureToleranceCount=0"])
        XCTAssertEqual(target.formerStackSetNames, ["catalogwatch-receive-main", "catalogwatch-receive-regions"])
    }

    func testMainThenParallelIsTwoStackSets() throws {
        let target = try sampleTarget(rollout: .mainThenParallel)
        XCTAssertEqual(target.stackSets.map(\.name), ["catalogwatch-receive-main", "catalogwatch-receive-regions"])
        XCTAssertEqual(target.stackSets.map(\.regions), [["ap-northeast-1"], ["us-east-1", "eu-west-1"]])
        XCTAssertEqual(target.stackSets.map(\.rollout.isSequential), [true, false])
        XCTAssertEqual(target.stackSets[1].rollout.operationPreferences.settings.map { "\($0.key)=\($0.value)" },
                       ["RegionConcurrencyType=PARALLEL", "MaxConcurrentPercentage=100", "FailureToleranceCount=0"])
        XCTAssertEqual(target.formerStackSetNames, ["catalogwatch-receive"])
    }

    func testTheUploadedKeyAndAccountReachTheTemplatesAndParameters() throws {
        let target = try sampleTarget()
        let parameters = Dictionary(target.stackSets[0].definition.parameters, uniquingKeysWith: { _, b in b })
        XCTAssertEqual(parameters["LambdaCodeKey"], "catalogwatch/filter-x86_64-0123456789abcdef.zip")
        XCTAssertEqual(parameters["LambdaCodeBucket"], "artifacts")
        XCTAssertEqual(parameters["MainRegion"], "ap-northeast-1")
        XCTAssertTrue(target.stackSets[0].definition.templateBody.contains("catalogwatch/filter-x86_64-0123456789abcdef.zip"))
        XCTAssertEqual(target.stackSets[0].definition.administrationRoleARN, "arn:aws:iam::111122223333:role/CatalogWatchStackSetAdministration")
        XCTAssertEqual(target.rolesParameters.map(\.0), ["NamePrefix", "LambdaCodeBucket", "OrganizationId", "MemberRoleName"])
        XCTAssertEqual(target.rolesParameters.map(\.1), ["catalogwatch", "artifacts", "o-exampleorg1", "catalogwatch-reader"])
        XCTAssertEqual(target.receiveTopicArn("eu-west-1"), "arn:aws:sns:eu-west-1:111122223333:catalogwatch-receive")
        XCTAssertEqual(target.alertTopicArn, "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-alerts")
    }
}

final class IdentityCheckTests: XCTestCase {
    let layout = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], managementAccountId: "111122223333")

    func testTheLayoutsAccountPasses() throws {
        XCTAssertNoThrow(try IdentityCheck.verify(CallerIdentity(account: "111122223333", arn: "arn:aws:iam::111122223333:user/ops"), layout: layout))
    }

    func testAnotherAccountStopsWithBothNamed() {
        XCTAssertThrowsError(try IdentityCheck.verify(CallerIdentity(account: "999988887777", arn: "arn:aws:sts::999988887777:assumed-role/x/y"), layout: layout)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("999988887777") && text.contains("111122223333") && text.contains("nothing was changed"), text)
        }
    }

    func testAnotherPartitionStops() {
        XCTAssertThrowsError(try IdentityCheck.verify(CallerIdentity(account: "111122223333", arn: "arn:aws-cn:iam::111122223333:user/ops"), layout: layout)) { error in
            XCTAssertTrue("\(error)".contains("partition aws-cn"), "\(error)")
        }
    }

    func testMissingKeysAreNamed() {
        XCTAssertEqual(IdentityCheck.missingKeys(Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], memberRoleName: "AWSControlTowerExecution")),
                       ["organizationId", "notificationEmail", "managementAccountId"])
        // The reader role (the default) goes into the OUs' accounts: a layout without any is told what to add.
        let missing = IdentityCheck.missingKeys(Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], organizationId: "o-exampleorg1"))
        XCTAssertEqual(missing.count, 3)
        XCTAssertTrue(missing.last?.hasPrefix("organizationalUnits (the OU ids ou-… or the root id r-…") == true, "\(missing)")
        XCTAssertTrue(IdentityCheck.missingKeys(Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], organizationalUnits: ["r-ab12"])).allSatisfy { !$0.hasPrefix("organizationalUnits") })
    }
}
