package io.github.mtasts.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the one {@link MailWorld} of this run: started on first use, kept in the root store so every
 * test class shares it, and closed by JUnit when the run ends. Use with {@code @ExtendWith} and a
 * {@code MailWorld} parameter (in a {@code @BeforeAll} method or a test).
 */
public final class MailWorldExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MailWorld.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MailWorld.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(MailWorld.class, key -> MailWorld.start(), MailWorld.class);
    }
}
