package io.github.mtasts.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a load run sends: one socketmap query {@code <map> <key>} per key, already framed as a netstring,
 * so the request loop only copies bytes. Each connection walks the keys from its own starting point, so
 * connections do not ask for the same domain in lock step.
 */
public final class KeyCycle {

    /** Longest framed request; a domain name is at most 253 octets (RFC 1035 §2.3.4), so this is ample. */
    public static final int MAX_REQUEST = 1024;

    private final byte[][] requests;

    private KeyCycle(byte[][] requests) {
        this.requests = requests;
    }

    /** Requests for {@code keys} in map {@code mapName}; keys must be non-empty and free of whitespace. */
    public static KeyCycle of(String mapName, List<String> keys) {
        if (mapName.isEmpty() || mapName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("map name must be one word, got '" + mapName + "'");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to send");
        }
        byte[][] requests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("key " + (i + 1) + " must be one word, got '" + key + "'");
            }
            byte[] payload = (mapName + " " + key).getBytes(StandardCharsets.UTF_8);
            byte[] prefix = (payload.length + ":").getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[prefix.length + payload.length + 1];
            System.arraycopy(prefix, 0, frame, 0, prefix.length);
            System.arraycopy(payload, 0, frame, prefix.length, payload.length);
            frame[frame.length - 1] = ',';
            if (frame.length > MAX_REQUEST) {
                throw new IllegalArgumentException("key " + (i + 1) + " makes a request longer than " + MAX_REQUEST + " bytes");
            }
            requests[i] = frame;
        }
        return new KeyCycle(requests);
    }

    /**
     * Reads one key (a domain) per line; blank lines and lines starting with {@code #} are skipped, surrounding
     * whitespace is trimmed.
     */
    public static List<String> readKeys(Path file) throws IOException {
        List<String> keys = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            String key = line.strip();
            if (key.isEmpty() || key.startsWith("#")) {
                continue;
            }
            if (key.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(file + " line " + lineNumber + ": a key is one word, got '" + key + "'");
            }
            keys.add(key);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(file + ": no keys (one domain per line)");
        }
        return keys;
    }

    public int size() {
        return requests.length;
    }

    /** The framed request for the {@code n}-th request of connection {@code connection}. */
    public byte[] request(int connection, long n) {
        return requests[(int) Math.floorMod(connection + n, (long) requests.length)];
    }
}
