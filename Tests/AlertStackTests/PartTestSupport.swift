import AlertStack
import Layout
import CloudFormation

/// A template holding only what `add` puts into an empty builder.
func partTemplate(_ add: (inout TemplateBuilder) -> Void) -> Template {
    var t = TemplateBuilder()
    add(&t)
    return t.template
}

/// The statements of a policy document value.
func statements(_ document: CFNValue?) -> [CFNValue] {
    if case .list(let items)? = document?["Statement"] { return items }
    return []
}

/// The statements of a role's first inline policy.
func roleStatements(_ role: Resource?) -> [CFNValue] {
    guard case .list(let policies)? = role?.property("Policies") else { return [] }
    return statements(policies.first?["PolicyDocument"])
}

/// `!GetAtt name.Arn`.
func arn(_ name: String) -> CFNValue { .function("Fn::GetAtt", [.string(name), "Arn"]) }
