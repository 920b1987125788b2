#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a database file whole: CSV tables are parsed from it once, MaxMind DB files are
/// searched in place.
enum GeoFile {
    static func contents(_ path: String) throws(GeoError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GeoError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw GeoError("cannot read \(path): not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw GeoError("cannot read \(path): \(n == 0 ? "file shrank while reading" : String(cString: strerror(errno)))") }
            done += n
        }
        return bytes
    }
}
