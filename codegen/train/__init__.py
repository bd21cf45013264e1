"""LoRA fine-tuning: data -> batches -> a readable training loop with exact resume."""
