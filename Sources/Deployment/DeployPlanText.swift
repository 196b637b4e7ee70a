import AlertStack
import Layout

/// The plan as lines a person reads before anything changes.
package enum DeployPlanText {
    package static func lines(_ plan: DeployPlan, target: DeploymentTarget, code: Layout.LambdaCode) -> [String] {
        var lines: [String] = []
        let artifact = "s3://\(code.bucket)/\(code.key)"
        if plan.createBucket { lines.append("create bucket \(code.bucket) (public access blocked, SSE-S3, owner-enforced)") }
        lines.append(plan.uploadZip ? "upload \(artifact)" : "artifact \(artifact) already uploaded")
        switch plan.roles {
        case .unchanged: lines.append("roles stack \(target.rolesStackName): unchanged")
        case .create: lines.append("roles stack \(target.rolesStackName): create (StackSet administration and execution roles, the filter's and the alert stacks' roles)")
        case .update(_, let changes):
            lines.append("roles stack \(target.rolesStackName): update, \(changes.count) change(s)")
            for c in changes {
                lines.append("  \(c.action) \(c.logicalId) (\(c.resourceType))" + (c.replacement == "True" ? ", replaced" : ""))
            }
        }
        if let reader = target.readerStackSet, let readers = plan.readers { lines.append(readers.line(reader)) }
        for (set, p) in plan.stackSets {
            let mode = set.rollout.isSequential ? "sequential" : "parallel"
            if p.changesNothing {
                lines.append("StackSet \(set.name): unchanged (\(set.regions.joined(separator: ", ")))")
                continue
            }
            var parts: [String] = []
            if p.createStackSet { parts.append("create") }
            if p.updateStackSet { parts.append("update every instance (\(p.changes.joined(separator: ", ")))") }
            if !p.add.isEmpty { parts.append("add \(p.add.joined(separator: ", "))") }
            if !p.update.isEmpty { parts.append("update outdated \(p.update.joined(separator: ", "))") }
            if !p.remove.isEmpty { parts.append("remove \(p.remove.joined(separator: ", "))") }
            if !p.inoperable.isEmpty { parts.append("clean up inoperable \(p.inoperable.joined(separator: ", ")) (stacks kept)") }
            lines.append("StackSet \(set.name) (\(mode), order \(set.regions.joined(separator: " > "))): " + parts.joined(separator: "; "))
        }
        for retired in plan.retired {
            lines.append("StackSet \(retired.name): no longer in the layout's rollout; remove instances"
                + (retired.regions.isEmpty ? "" : " \(retired.regions.joined(separator: ", "))")
                + " and delete it first (its stacks hold the same named resources; alerts pause until the new rollout ends)")
        }
        if let member = target.memberStackSet, let members = plan.members { lines.append(members.line(member)) }
        if let name = plan.retiredMembers {
            lines.append("member StackSet \(name): the layout's source no longer uses EventBridge; remove its instances in every member account and delete it")
        }
        if let name = plan.retiredReaders {
            lines.append("reader StackSet \(name): the layout no longer deploys the reader role; remove it from every member account and delete the StackSet")
        }
        if !target.layout.source.usesNotifications {
            lines.append("constraints: source eventbridge needs none" + (target.layout.portfolios.isEmpty ? "" : "; the listed portfolios were checked for constraints still pointing at the receive topics"))
        } else if target.layout.portfolios.isEmpty {
            lines.append("constraints: no portfolios listed in the layout; add them under `portfolios` to have deploy add the constraints")
        }
        for w in plan.products {
            let what = w.isWatched ? "watched" : (w.otherNotificationConstraintId != nil ? "has another notification constraint: left alone" : "add notification constraint")
            lines.append("constraint \(w.region) \(w.portfolioId) \(w.productName) (\(w.productId)): \(what)")
        }
        return lines
    }
}
