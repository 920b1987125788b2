/// Times as the database keeps them: seconds since the epoch with microseconds, so that a
/// record read back prints exactly as it was written live (Zeek writes microseconds too).
public enum HistoryTime {
    /// Nanoseconds to seconds, cut to the microsecond as the JSON writers do.
    public static func seconds(_ nanoseconds: Int64) -> Double {
        Double(nanoseconds / 1000) / 1e6
    }

    /// Seconds (as stored) back to nanoseconds, on the microsecond.
    public static func nanoseconds(_ seconds: Double) -> Int64 {
        Int64((seconds * 1e6).rounded()) * 1000
    }

    /// The start of the `resolution`-second bucket that holds `second`.
    public static func floor(_ second: Int64, _ resolution: Int64) -> Int64 {
        second >= 0 ? second - second % resolution : second - ((second % resolution) + resolution) % resolution
    }
}
