"""`ansible-codegen export`: the tuned model in the formats serving engines load.

- hf: the base with the adapter merged (a Hugging Face folder vLLM or transformers load), and
  beside it the base folder and the peft adapter, for vLLM's `--enable-lora`;
- gguf: the merged weights in a GGUF file llama.cpp and Ollama load, with the registry GGUF's
  own metadata (tokenizer, architecture keys) and tensor names;
- ollama: that GGUF and a Modelfile with the project's prompt template and stop strings.
"""
