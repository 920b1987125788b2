/// Picking the first few of many by a count without sorting them all: the writer's top 100
/// per minute, and a report's top lists from a capture's millions of keys (a flood).
public enum TopSelection {
    /// The k-th largest value (k from 1), by quickselect; reorders `v`.
    public static func kthLargest(_ v: inout [UInt64], _ k: Int) -> UInt64 {
        var lo = 0, hi = v.count - 1
        let target = k - 1
        while lo < hi {
            let pivot = v[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while v[i] > pivot { i += 1 }
                while v[j] < pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { break }
        }
        return v[target]
    }
}
