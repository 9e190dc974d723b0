/// A weak reference a background thread holds to the engine that owns it (sync threads), so the
/// thread never keeps its engine alive. Set once, right after the engine is built.
final class WeakReference<Object: AnyObject>: @unchecked Sendable {
    weak var object: Object?
}
