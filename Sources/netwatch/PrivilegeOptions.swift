import ArgumentParser
import NetwatchHost
import NetwatchPipeline

/// `-Z USER` (tcpdump's): whom netwatch becomes once capture is open.
struct PrivilegeOptions: ParsableArguments {
    @Option(name: [.customShort("Z"), .customLong("relinquish-privileges")],
            help: ArgumentHelp("""
                Started as root: after opening capture (and the web port and output files), run as this user \
                (monitor and serve: by default 'netwatch' if it exists, else 'nobody'). Only the capabilities \
                still used are kept: cap_dac_read_search and cap_sys_ptrace to name other users' processes.
                """, valueName: "user"))
    var user: String?

    /// The account to become: the one named, or for the commands that serve the web
    /// (`byDefault`) netwatch's default; nil when staying who it is.
    func account(byDefault: Bool) throws -> Privileges.Account? {
        if let user {
            guard let account = Privileges.account(user) else {
                diagnostics.error("-Z \(user): no such user")
                throw ExitCode(1)
            }
            return account
        }
        guard byDefault && Privileges.isRoot else { return nil }
        guard let account = Privileges.defaultAccount() else {
            diagnostics.error("running as root and neither a 'netwatch' nor a 'nobody' user exists to become: give -Z USER")
            throw ExitCode(1)
        }
        return account
    }

    /// Drops to `account` keeping `keep` (see `Privileges`); `files` (history, logs) made as
    /// root are handed to the account first. With `web`, refuses to go on as root.
    static func drop(to account: Privileges.Account?, keep: Privileges.Capabilities, files: [String], web: Bool) throws {
        if let account { for f in files { Privileges.handOver(f, to: account) } }
        do {
            try Privileges.drop(to: account, keep: keep)
        } catch {
            diagnostics.error("cannot give up privileges: \(error)")
            throw ExitCode(1)
        }
        if web && Privileges.isRoot {
            diagnostics.error("refusing to serve the web dashboard as root: give -Z USER (an unprivileged user)")
            throw ExitCode(1)
        }
        if let account {
            diagnostics.info("running as \(account.name) (uid \(account.uid)), capabilities kept: \(Privileges.effective())")
        }
    }
}
