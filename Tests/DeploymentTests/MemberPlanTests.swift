import AlertStack
import Layout
@testable import DeployAPI
import XCTest

@testable import Deployment

/// What deploy plans for the member StackSet of an EventBridge source, from the layout and what AWS reports.
final class MemberPlanTests: XCTestCase {
    let layout = Layout(
        mainRegion: "ap-northeast-1", regions: ["ap-northeast-1", "us-east-1"], organizationId: "o-exampleorg1",
        managementAccountId: "111122223333", source: .eventBridge, organizationalUnits: ["ou-ab12-cdef3456", "ou-ab12-7890ghij"])

    func target() throws -> MemberStackSetTarget { try XCTUnwrap(try DeploymentTarget.memberTarget(layout)) }

    func existing(_ t: MemberStackSetTarget, ous: [String], regions: [String], body: String? = nil, auto: Bool? = true) -> StackSetDescription {
        var d = StackSetDescription(
            name: t.name, status: "ACTIVE", templateBody: body ?? t.definition.templateBody,
            parameters: Dictionary(uniqueKeysWithValues: t.definition.parameters.map { ($0.key, $0.value) }), capabilities: ["CAPABILITY_IAM"],
            administrationRoleARN: nil, executionRoleName: nil, driftStatus: nil, driftDetectionStatus: nil)
        d.permissionModel = "SERVICE_MANAGED"
        d.autoDeploymentEnabled = auto
        d.organizationalUnitIds = ous
        d.regions = regions
        return d
    }

    func testANewStackSetTargetsEveryOUInEveryRegionAfterTurningOnAccess() throws {
        let t = try target()
        let plan = MemberPlan.make(target: t, existing: nil, access: .disabled)
        XCTAssertTrue(plan.activateAccess && plan.createStackSet)
        XCTAssertEqual(plan.addOrganizationalUnits, ["ou-ab12-cdef3456", "ou-ab12-7890ghij"])
        XCTAssertFalse(plan.changesNothing)
    }

    func testAMatchingStackSetChangesNothing() throws {
        let t = try target()
        let plan = MemberPlan.make(target: t, existing: existing(t, ous: t.organizationalUnits, regions: t.regions), access: .enabled)
        XCTAssertTrue(plan.changesNothing, "\(plan)")
    }

    func testAChangedTemplateWithNothingKeptStillUpdatesTheStackSetFirst() throws {
        let t = try target()
        // The StackSet exists but its instances went (every OU and region new): the new instances must get the new template.
        let plan = MemberPlan.make(target: t, existing: existing(t, ous: [], regions: [], body: "old"), access: .enabled)
        XCTAssertTrue(plan.updateStackSet)
        XCTAssertEqual(plan.keptOrganizationalUnits, [])
        XCTAssertEqual(plan.addOrganizationalUnits, t.organizationalUnits)
        XCTAssertTrue(plan.line(t).contains("update the StackSet's template"), plan.line(t))
    }

    func testAutoDeploymentTurnedOffIsTurnedOnAsItsOwnStep() throws {
        let t = try target()
        let plan = MemberPlan.make(target: t, existing: existing(t, ous: t.organizationalUnits, regions: t.regions, auto: false), access: .enabled)
        XCTAssertTrue(plan.enableAutoDeployment)
        XCTAssertFalse(plan.updateStackSet, "the template is unchanged")
        XCTAssertTrue(plan.line(t).contains("turn auto-deployment on"), plan.line(t))
    }

    func testDroppedOUsAndRegionsAreRemovalsThatNeedYes() throws {
        let t = try target()
        let found = existing(t, ous: t.organizationalUnits + ["ou-ab12-oldoldold"], regions: t.regions + ["eu-west-1"])
        let plan = MemberPlan.make(target: t, existing: found, access: .enabled)
        XCTAssertEqual(plan.removeOrganizationalUnits, ["ou-ab12-oldoldold"])
        XCTAssertEqual(plan.removeRegions, ["eu-west-1"])
        XCTAssertEqual(plan.removals(t.name).count, 2)
    }
}
