/// The version of the package, in one place: `jobledger --version` prints it.
public enum JobLedgerVersion {
    /// Semantic version of this release.
    public static let current = "0.9.0"
}
