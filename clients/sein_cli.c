/* under construction */
typedef int s_placeholder_t;
