package dev.moat.server;

/** A configuration problem that stops start-up; the message names the key and what is wrong with its value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
