import AlertStack
import DeployAPI

extension StackSetRollout {
    /// The rollout as the StackSets API takes it.
    var operationPreferences: OperationPreferences {
        OperationPreferences(regionOrder: regionOrder, settings: settings.map { .init($0.setting.key, $0.value.text) })
    }

    /// The same pace over `regions`, in the order given.
    func over(_ regions: [String]) -> StackSetRollout { StackSetRollout(regionOrder: regions, pace: pace) }
}
