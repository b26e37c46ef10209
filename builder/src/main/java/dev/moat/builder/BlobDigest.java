package dev.moat.builder;

import dev.moat.core.spi.SandboxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A content digest as image formats write it, {@code sha256:<64 hex>} (or sha512), checked on parsing so that it can
 * name a file in an OCI layout ({@code blobs/sha256/<hex>}) without letting untrusted JSON pick any other path.
 */
record BlobDigest(String algorithm, String hex) {

    private static final Pattern FORM = Pattern.compile("(sha256|sha512):([a-f0-9]+)");
    private static final Pattern IN_PATH =
            Pattern.compile("(?:^|/)(?:sha256/)?([a-f0-9]{64})(?:\\.json|/layer\\.tar)?$");

    BlobDigest {
        int length = algorithm.equals("sha256") ? 64 : 128;
        if (!hex.matches("[a-f0-9]{" + length + "}")) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, "'" + algorithm + ":" + hex + "' is not a valid digest");
        }
    }

    static BlobDigest parse(String digest) {
        Matcher matcher = FORM.matcher(digest == null ? "" : digest);
        if (!matcher.matches()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "'" + digest + "' is not a digest Moat can check (sha256:… or sha512:…)");
        }
        return new BlobDigest(matcher.group(1), matcher.group(2));
    }

    /**
     * The sha256 digest a docker-archive path carries in its name ({@code <hex>.json}, {@code blobs/sha256/<hex>}),
     * if it carries one; legacy layer directories ({@code <id>/layer.tar}) are ids, not digests, and carry none.
     */
    static Optional<BlobDigest> inPath(String path) {
        if (path.endsWith("/layer.tar")) {
            return Optional.empty();
        }
        Matcher matcher = IN_PATH.matcher(path);
        return matcher.find() ? Optional.of(new BlobDigest("sha256", matcher.group(1))) : Optional.empty();
    }

    /** The file holding this blob in an OCI layout. */
    String layoutPath() {
        return "blobs/" + algorithm + "/" + hex;
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    boolean matches(byte[] digest) {
        return hex.equals(HexFormat.of().formatHex(digest));
    }

    boolean matches(String digest) {
        return toString().equals(digest);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
