import NetwatchDecode
@testable import NetwatchDetect
import XCTest

final class IncidentBookTests: XCTestCase {
    /// `isBlocklistedOpen` remembers open incidents (so a listed host's every new flow skips
    /// the dictionary), and forgets them once an incident closes: a later contact opens a new
    /// incident instead of touching one that is gone.
    func testBlocklistedOpenFollowsTheBook() {
        let book = IncidentBook(idle: 10)
        let listed = IPAddress("10.78.0.1")!
        let other = IPAddress("10.78.0.9")!
        XCTAssertFalse(book.isBlocklistedOpen(listed))
        let alert = Alert(time: 0, signature: Alert.Signature(rawValue: "block-listed peer"), category: "test", severity: 1, reason: "test")
        XCTAssertTrue(book.start(.blocklisted(listed), alert, first: 0, time: 0))
        XCTAssertTrue(book.isBlocklistedOpen(listed))
        XCTAssertTrue(book.isBlocklistedOpen(listed), "asked again: from the cache")
        XCTAssertFalse(book.isBlocklistedOpen(other))
        // Another family's incident on the same address is not a block-listed one.
        XCTAssertTrue(book.start(.scan(other), alert, first: 0, time: 0))
        XCTAssertFalse(book.isBlocklistedOpen(other))
        // Both go on past their alerts, so each closes with a summary.
        book.touch(.blocklisted(listed), time: 1) { _ in }
        book.touch(.scan(other), time: 1) { _ in }
        XCTAssertEqual(book.close(now: 5).count, 0, "not yet quiet")
        XCTAssertTrue(book.isBlocklistedOpen(listed))
        XCTAssertEqual(book.close(now: 11).count, 2)
        XCTAssertFalse(book.isBlocklistedOpen(listed), "closed: forgotten")
        XCTAssertTrue(book.start(.blocklisted(listed), alert, first: 20, time: 20))
        XCTAssertTrue(book.isBlocklistedOpen(listed))
        XCTAssertEqual(book.close(now: 0, everything: true).count, 0, "a one-off contact: its alert said it all")
        XCTAssertFalse(book.isBlocklistedOpen(listed), "closed without a summary: forgotten all the same")
    }
}
