package dev.moat.protocol;

/** A platform constraint: {@code os} (linux, windows) and {@code arch} (amd64, arm64). */
public record PlatformSpec(String os, String arch) {}
