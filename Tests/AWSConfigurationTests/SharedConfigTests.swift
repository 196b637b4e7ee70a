import XCTest
@testable import AWSConfiguration

/// The INI reader, the merge of the two shared files, and the private SHA-1.
final class SharedConfigTests: XCTestCase {
    func testSHA1KnownVectors() {
        XCTAssertEqual(SHA1.hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(SHA1.hex(String(repeating: "a", count: 1_000_000)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // Lengths around the 55/56/64-byte padding boundaries (digests from Python's hashlib).
        XCTAssertEqual(SHA1.hex(String(repeating: "a", count: 55)), "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        XCTAssertEqual(SHA1.hex(String(repeating: "a", count: 56)), "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        XCTAssertEqual(SHA1.hex(String(repeating: "a", count: 64)), "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    func testINIParsingFollowsBotocore() throws {
        let text = """
            # a comment
            ; another comment
            [default]
            Region = eu-west-1
            output: json
            s3 =
              addressing_style = path
              max_concurrent_requests = 10
            after = yes

            [profile dev]
            aws_access_key_id=AKIADEV
            empty =
            """
        let file = try INIFile.parse(text, path: "/p/config")
        XCTAssertEqual(file.order, ["default", "profile dev"])
        XCTAssertEqual(file.sections["default"], ["region": "eu-west-1", "output": "json", "s3": "", "after": "yes"])
        XCTAssertEqual(file.sections["profile dev"], ["aws_access_key_id": "AKIADEV", "empty": ""])
    }

    func testINIErrorsNameFileAndLine() {
        let cases: [(String, String)] = [
            ("[default]\nregion = x\nnot a key value line\n", "cannot parse /p/f line 3: expected [section], a comment or key = value"),
            ("region = x\n", "cannot parse /p/f line 1: key outside any [section]"),
            ("[a]\n[a]\n", "cannot parse /p/f line 2: section [a] appears twice"),
            ("[a]\nk = 1\nK = 2\n", "cannot parse /p/f line 3: key k appears twice in [a]"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try INIFile.parse(text, path: "/p/f")) { error in
                XCTAssertEqual((error as? CredentialsResolutionError)?.description, expected)
                XCTAssertEqual((error as? CredentialsResolutionError)?.kind, .invalidConfiguration)
            }
        }
    }

    func testSharedFilesMergeWithCredentialsFileWinningPerKey() throws {
        let home = try TemporaryHome()
        try home.config("""
            [default]
            region = eu-west-1
            aws_access_key_id = AKIAFROMCONFIG
            [profile default]
            region = eu-central-1
            [profile dev]
            region = us-west-2
            [sso-session corp]
            sso_region = eu-west-1
            [dev]
            region = ignored-without-profile-prefix
            """)
        try home.credentials("""
            [default]
            aws_access_key_id = AKIAFROMCREDENTIALS
            aws_secret_access_key = secret
            [only-credentials]
            aws_access_key_id = AKIAONLY
            """)
        let config = try SharedConfig.load(environment: [:], homeDirectory: home.path)
        XCTAssertEqual(config.configPath, home.configPath)
        XCTAssertEqual(config.credentialsPath, home.credentialsPath)
        XCTAssertEqual(config.profiles["default"]?["region"], "eu-central-1", "[profile default] wins over [default]")
        XCTAssertEqual(config.profiles["default"]?["aws_access_key_id"], "AKIAFROMCREDENTIALS")
        XCTAssertEqual(config.profiles["dev"]?["region"], "us-west-2")
        XCTAssertEqual(config.profiles["only-credentials"]?["aws_access_key_id"], "AKIAONLY")
        XCTAssertEqual(config.ssoSessions["corp"]?["sso_region"], "eu-west-1")

        let moved = try SharedConfig.load(
            environment: ["AWS_CONFIG_FILE": "~/elsewhere/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"],
            homeDirectory: home.path)
        XCTAssertEqual(moved.configPath, home.path + "/elsewhere/config")
        XCTAssertEqual(moved.profiles, [:], "missing files are empty")
    }
}
