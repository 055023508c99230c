"""Batch stylisation on Apache Beam: the same pipeline on the DirectRunner, Dataflow, Flink or
Spark (`nst-tf batch`, `nst_tf.stylize_batch`)."""
