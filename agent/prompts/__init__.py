"""Default prompt templates (``string.Template`` files, ``${name}`` placeholders).

A task or a user overrides any of them by putting a file of the same name in a ``template_dir``
(LLMConfig.template_dir, or ``ctx.meta['template_dir']`` set by the controller per task).
"""
