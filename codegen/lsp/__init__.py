"""`ansible-codegen lsp`: a standard language server (stdio, pygls) that puts the model in any editor.

One job per module:
  document     where the cursor is: the `- name:` line or `# a & b` comment a suggestion answers,
               the indentation it must fit, and what the file around it says (the generation context)
  suggest      the model behind a cancellable backend: requests -> validated task text
  hover        a module (or option) name -> its documentation from the catalog
  explain      a task -> what it does, in words, from the catalog
  diagnostics  the open file's tasks -> validation problems (argument spec, lint) with their lines
  scripted     a test-only backend that answers from a JSON script (no model)
  server       the pygls server: features, threads (model / checks), debounce, cancellation
  commands     the click command

Nothing here imports torch or pygls at module level except `server` (pygls only); the click
command imports the server when it runs.
"""
