import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM, SIGINT and SIGHUP remove the named temporaries a write has open
/// (`TemporaryFiles`), then end the process as the signal would have (the default action,
/// re-raised), so the exit status still says which signal it was. A signal the caller has
/// set to be ignored (`nohup`) stays ignored.
enum SignalCleanup {
    static func install() {
        TemporaryFiles.prepare()
        for sig in TemporaryFiles.signals {
            var old = sigaction()
            guard sigaction(sig, nil, &old) == 0 else { continue }
            // SIG_IGN is the handler value 1.
            if let h = old.__sigaction_handler.sa_handler, unsafeBitCast(h, to: Int.self) == 1 { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = onSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(sig, &action, nil)
        }
    }
}

/// Async-signal-safe: unlink, then raise again. SA_RESETHAND has restored the default action
/// and the signal is blocked until this returns, so the process ends right after.
private func onSignal(_ sig: Int32) {
    TemporaryFiles.removeAll()
    raise(sig)
}
