import Glibc

extension UnsafeRawBufferPointer {
    /// True when these bytes are exactly `text`'s UTF-8: one `memcmp`, where `elementsEqual` over a
    /// UTF-8 view goes byte by byte through generic code (about 900 instructions of every request's
    /// method, version and route matching).
    public func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }

    /// True when these bytes begin with `text`'s UTF-8.
    public func starts(with text: StaticString) -> Bool {
        count >= text.utf8CodeUnitCount
            && (text.utf8CodeUnitCount == 0 || memcmp(baseAddress!, text.utf8Start, text.utf8CodeUnitCount) == 0)
    }
}
