/** The variables a response template may use, listed from their one definition in core. */
import { TEMPLATE_VARIABLE_DEFINITIONS } from '../../pipeline/core/template-variables.js';

export function TemplateVariables({ context }: { context?: 'chat' | 'event' }) {
  const shown = TEMPLATE_VARIABLE_DEFINITIONS.filter(
    (definition) => !context || definition.context === 'any' || definition.context === context,
  );
  return (
    <details className="template-variables small" data-testid="template-variables">
      <summary>Template variables</summary>
      <dl>
        {shown.map((definition) => (
          <div key={definition.syntax}>
            <dt className="mono">{definition.syntax}</dt>
            <dd className="muted">{definition.description}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
